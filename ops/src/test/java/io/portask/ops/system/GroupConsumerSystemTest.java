package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.Consumer;
import io.portask.client.ConsumerRecord;
import io.portask.client.GroupDescription;
import io.portask.client.PortaskException;
import io.portask.client.Producer;
import io.portask.client.RebalanceListener;
import io.portask.client.TopicPartition;
import io.portask.ops.PortaskCommands;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Consumer groups against a real broker process, members in this process (each its own consumer and thread): 3
 * members on 12 partitions get 4 each; a 4th joins and gets 3, only 3 partitions moving; a member that stops
 * heartbeating (a crash: no leave, no commit) loses its partitions to the others within its session timeout, and
 * its commit afterwards is refused; while a producer writes all along, every record is consumed exactly once
 * (counted when its commit succeeded; the members commit after each poll and in onPartitionsRevoked).
 */
class GroupConsumerSystemTest
{
    private static final int PARTITIONS = 12;
    private static final int SESSION_MS = 3_000;

    @TempDir
    Path dir;

    private final Map<TopicPartition, ConcurrentLinkedQueue<Long>> consumed = new ConcurrentHashMap<>();

    /** One group member on its own thread. */
    private final class Member implements Runnable, RebalanceListener
    {
        final Consumer consumer;
        final Thread thread = new Thread(this, "group-member");
        volatile Set<TopicPartition> assigned = Set.of();
        volatile boolean running = true;
        volatile long firstRecordNs;

        Member(final String bootstrap)
        {
            consumer = Consumer.builder(bootstrap).group("g").sessionTimeoutMs(SESSION_MS).build();
            consumer.subscribe(List.of("orders"), this);
            thread.start();
        }

        public void run()
        {
            while (running)
            {
                final List<ConsumerRecord> records;
                try
                {
                    records = consumer.poll(Duration.ofMillis(100));
                }
                catch (final PortaskException ex)
                {
                    continue;
                }
                assigned = consumer.assignment();
                if (!running)
                {
                    return;
                }
                if (!records.isEmpty() && 0 == firstRecordNs)
                {
                    firstRecordNs = System.nanoTime();
                }
                try
                {
                    consumer.commit();
                    records.forEach(record -> consumed.computeIfAbsent(
                        new TopicPartition(record.topic(), record.partition()), tp -> new ConcurrentLinkedQueue<>())
                        .add(record.offset()));
                }
                catch (final PortaskException ex)
                {
                    // fenced or stale: not counted; the partition's next owner reads them from the commit
                }
            }
        }

        public void onPartitionsRevoked(final Collection<TopicPartition> partitions)
        {
            partitions.forEach(partition -> consumer.commit(partition, consumer.position(partition)));
        }

        void crash() throws InterruptedException
        {
            running = false;
            thread.join();
        }

        void stop() throws InterruptedException
        {
            crash();
            consumer.close();
        }
    }

    @Test
    void shouldShareMovePartitionsIncrementallyAndConsumeEveryRecordOnce() throws Exception
    {
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data")).start();
            Admin admin = Admin.connect(broker.bootstrap()))
        {
            admin.createTopic("orders", PARTITIONS, StorageKind.JOURNAL);
            final Thread producing = producer(broker.bootstrap());
            final List<Member> members = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                members.add(new Member(broker.bootstrap()));
            }
            await(() -> members.stream().allMatch(member -> 4 == member.assigned.size()), "4 partitions each");
            final List<Set<TopicPartition>> before = members.stream().map(member -> member.assigned).toList();

            final long joinNs = System.nanoTime();
            members.add(new Member(broker.bootstrap()));
            await(() -> members.stream().allMatch(member -> 3 == member.assigned.size()), "3 partitions each");
            int kept = 0;
            for (int i = 0; i < 3; i++)
            {
                final Set<TopicPartition> still = new HashSet<>(members.get(i).assigned);
                still.retainAll(before.get(i));
                kept += still.size();
            }
            assertEquals(9, kept, "only 3 partitions moved, to the new member");
            await(() -> 0 != members.get(3).firstRecordNs, "the new member receives records");
            final long joinToFirstRecordMs = (members.get(3).firstRecordNs - joinNs) / 1_000_000;

            final Member dead = members.remove(1);
            final long crashNs = System.nanoTime();
            dead.crash();
            await(() -> members.stream().mapToInt(member -> member.assigned.size()).sum() == PARTITIONS,
                "the dead member's partitions are consumed again");
            final long deathToReassignedMs = (System.nanoTime() - crashNs) / 1_000_000;
            final TopicPartition zombiePartition = dead.assigned.iterator().next();
            final PortaskException zombie = assertThrows(PortaskException.class,
                () -> dead.consumer.commit(zombiePartition, 0));
            assertEquals(ErrorCode.FENCED_MEMBER_EPOCH, zombie.code(), zombie.getMessage());

            final GroupDescription described = admin.describeGroup("g");
            assertEquals(3, described.members().size());
            assertEquals(PARTITIONS, described.partitions().stream().filter(p -> !p.owner().isEmpty()).count());
            assertTrue(described.partitions().stream().allMatch(p -> p.lag() >= 0 && p.committedOffset() >= 0));
            assertEquals(3, admin.listGroups().get("g"));
            final ByteArrayOutputStream cli = new ByteArrayOutputStream();
            assertEquals(0, PortaskCommands.run(new String[]{ "groups", "describe", "g", "--bootstrap",
                broker.bootstrap() }, InputStream.nullInputStream(), new PrintStream(cli, true, StandardCharsets.UTF_8),
                System.err));
            assertTrue(cli.toString(StandardCharsets.UTF_8).startsWith("g\tmembers=3\tlag="), cli.toString());
            try (BrokerProcess gateway = BrokerProcess.gateway(broker.dataDir()).start();
                HttpClient http = HttpClient.newHttpClient())
            {
                final HttpResponse<String> group = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gateway.port() + "/api/v1/groups/g")).build(),
                    HttpResponse.BodyHandlers.ofString());
                assertEquals(200, group.statusCode(), group.body());
                assertTrue(group.body().contains("\"memberId\"") && group.body().contains("\"lag\""), group.body());
                final String metrics = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gateway.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(metrics.contains("portask_group_lag{topic=\"orders\",partition=\"0\",group=\"g\"}"),
                    "lag per group and partition in /metrics");
            }

            producing.interrupt();
            producing.join();
            final Map<TopicPartition, Long> ends = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++)
            {
                final TopicPartition tp = new TopicPartition("orders", p);
                ends.put(tp, admin.offsets(tp)[1]);
            }
            await(() -> ends.entrySet().stream().allMatch(end ->
                consumed.getOrDefault(end.getKey(), new ConcurrentLinkedQueue<>()).size() >= end.getValue()),
                "every record consumed");
            for (final Member member : members)
            {
                member.stop();
            }
            dead.consumer.close();
            assertResetOffsetsOnlyWhenEmpty(broker.bootstrap(), admin);
            long total = 0;
            for (final Map.Entry<TopicPartition, Long> end : ends.entrySet())
            {
                final List<Long> offsets = new ArrayList<>(consumed.get(end.getKey()));
                offsets.sort(Long::compare);
                for (int i = 0; i < offsets.size(); i++)
                {
                    assertEquals(i, offsets.get(i), end.getKey() + ": no gap, no duplicate");
                }
                assertEquals(end.getValue(), offsets.size(), end.getKey().toString());
                total += offsets.size();
            }
            assertTrue(total > 1000, "records consumed: " + total);
            System.out.printf("group: join -> first record %d ms; death -> partitions consumed again %d ms " +
                "(session timeout %d ms); %d records exactly once%n", joinToFirstRecordMs, deathToReassignedMs,
                SESSION_MS, total);
        }
    }

    /**
     * With every member gone the group is empty: its offsets can be reset; a member's presence refuses it.
     */
    private static void assertResetOffsetsOnlyWhenEmpty(final String bootstrap, final Admin admin) throws Exception
    {
        try (Consumer member = Consumer.builder(bootstrap).group("g").sessionTimeoutMs(SESSION_MS).build())
        {
            member.subscribe(List.of("orders"), new RebalanceListener()
            {
            });
            member.poll(Duration.ofMillis(100));
            final ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertEquals(1, PortaskCommands.run(new String[]{ "groups", "reset-offsets", "g", "--topic", "orders",
                "--to-earliest", "--bootstrap", bootstrap }, InputStream.nullInputStream(), System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8)));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("member(s)"), err.toString());
        }
        final TopicPartition tp = new TopicPartition("orders", 0);
        final long committed = admin.describeGroup("g").partitions().stream()
            .filter(p -> 0 == p.partition()).findFirst().orElseThrow().committedOffset();
        assertEquals(0, PortaskCommands.run(new String[]{ "groups", "reset-offsets", "g", "--topic", "orders",
            "--to-offset", "5", "--bootstrap", bootstrap }, InputStream.nullInputStream(), System.out, System.err));
        try (Consumer reader = Consumer.builder(bootstrap).group("g").build())
        {
            assertEquals(5, reader.committed(tp), "was " + committed);
            reader.commit(tp, committed);
        }
    }

    private static Thread producer(final String bootstrap)
    {
        final Thread thread = new Thread(() ->
        {
            try (Producer producer = Producer.builder(bootstrap).lingerMs(2).build())
            {
                for (int i = 0; !Thread.currentThread().isInterrupted(); i++)
                {
                    producer.send("orders", Integer.toString(i), "record " + i);
                    if (i % 100 == 99)
                    {
                        producer.flush();
                        Thread.sleep(20);
                    }
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "group-test-producer");
        thread.start();
        return thread;
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
            Thread.sleep(20);
        }
    }
}
