package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.Consumer;
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
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Consumer groups against a real broker process: 3 members on 12 partitions get 4 each (one of them a process of
 * its own, the others threads here); a 4th joins and gets 3, only 3 partitions moving; the broker restarts and the
 * group carries on (same members, same partitions, nobody fenced); then the process member is killed -9 and a
 * thread member stops heartbeating (a crash: no leave, no commit): their partitions go to the others within the
 * session timeout, and the crashed member's commit afterwards is refused. A producer writes all along; every record
 * is consumed exactly once across the members ({@link MemberLedger}; they commit after each poll and in
 * onPartitionsRevoked).
 */
class GroupConsumerSystemTest
{
    private static final int PARTITIONS = 12;
    private static final int SESSION_MS = 3_000;

    @TempDir
    Path dir;

    /** One group member on a thread of this process, printing what it consumed to a buffer. */
    private static final class Member
    {
        final Consumer consumer;
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        final Thread thread;
        volatile boolean running = true;

        Member(final String bootstrap)
        {
            consumer = Consumer.builder(bootstrap).group("g").sessionTimeoutMs(SESSION_MS).build();
            thread = new Thread(() -> GroupMemberMain.consume(consumer, "orders", out, () -> running), "group-member");
            thread.start();
        }

        List<String> lines()
        {
            synchronized (out)
            {
                return log.toString(StandardCharsets.UTF_8).lines().toList();
            }
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
    void shouldShareMoveKeepAcrossARestartAndConsumeEveryRecordOnce() throws Exception
    {
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data")).start();
            Admin admin = Admin.connect(broker.bootstrap()))
        {
            admin.createTopic("orders", PARTITIONS, StorageKind.JOURNAL);
            final Thread producing = producer(broker.bootstrap());
            final Path processLog = dir.resolve("member-process.log");
            final Process process = memberProcess(broker.bootstrap(), processLog);
            final List<Member> members = new ArrayList<>(List.of(new Member(broker.bootstrap()),
                new Member(broker.bootstrap())));
            await(() -> sizes(admin).equals(List.of(4, 4, 4)), "4 partitions each");
            final Map<String, Set<Integer>> before = owners(admin);

            final Member joining = new Member(broker.bootstrap());
            final long joinNs = System.nanoTime();
            members.add(joining);
            await(() -> sizes(admin).equals(List.of(3, 3, 3, 3)), "3 partitions each");
            final Map<String, Set<Integer>> after = owners(admin);
            int kept = 0;
            for (final Map.Entry<String, Set<Integer>> entry : before.entrySet())
            {
                final Set<Integer> still = new HashSet<>(after.get(entry.getKey()));
                still.retainAll(entry.getValue());
                kept += still.size();
            }
            assertEquals(9, kept, "only 3 partitions moved, to the new member");
            await(() -> joining.lines().stream().anyMatch(line -> line.startsWith("P ")),
                "the new member receives records");
            final long joinToFirstRecordMs = (System.nanoTime() - joinNs) / 1_000_000;

            broker.stop();
            broker.start();
            await(() -> owners(admin).equals(after), "the same members own the same partitions after a restart");
            final int linesAtRestart = joining.lines().size();
            await(() -> joining.lines().stream().skip(linesAtRestart).anyMatch(line -> line.startsWith("C ")),
                "the members commit again after the restart");
            assertTrue(members.stream().allMatch(member -> member.lines().stream().noneMatch(l -> l.startsWith("L"))),
                "no member was fenced by the restart");

            final Member crashed = members.remove(1);
            final long deathNs = System.nanoTime();
            process.destroyForcibly().waitFor();
            crashed.crash();
            await(() -> sizes(admin).equals(List.of(6, 6)), "the dead members' partitions are consumed again");
            final long deathToReassignedMs = (System.nanoTime() - deathNs) / 1_000_000;
            final TopicPartition zombiePartition = crashed.consumer.assignment().iterator().next();
            final PortaskException zombie = assertThrows(PortaskException.class,
                () -> crashed.consumer.commit(zombiePartition, 0));
            assertEquals(ErrorCode.FENCED_MEMBER_EPOCH, zombie.code(), zombie.getMessage());
            assertDescribedEverywhere(broker, admin);

            producing.interrupt();
            producing.join();
            final Map<Integer, Long> ends = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++)
            {
                ends.put(p, admin.offsets(new TopicPartition("orders", p))[1]);
            }
            final List<Member> all = List.of(members.get(0), members.get(1), crashed);
            await(() -> ledger(all, processLog).complete(ends), "every record consumed");
            for (final Member member : members)
            {
                member.stop();
            }
            crashed.consumer.close();
            final long total = ledger(all, processLog).assertExactlyOnce(ends);
            assertTrue(total > 1000, "records consumed: " + total);
            assertResetOffsetsOnlyWhenEmpty(broker.bootstrap(), admin);
            System.out.printf("group: join -> first record %d ms; death (kill -9) -> partitions consumed again %d ms " +
                "(session timeout %d ms); %d records exactly once across a broker restart%n", joinToFirstRecordMs,
                deathToReassignedMs, SESSION_MS, total);
        }
    }

    @Test
    void shouldGiveARestartedStaticMemberItsPartitionsBackCommitOnItsOwnAndDeleteTheEmptyGroup() throws Exception
    {
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data")).start();
            Admin admin = Admin.connect(broker.bootstrap());
            Producer producer = Producer.builder(broker.bootstrap()).build())
        {
            admin.createTopic("orders", PARTITIONS, StorageKind.JOURNAL);
            final Consumer b = staticMember(broker.bootstrap(), "b");
            for (int i = 0; i < 120; i++)
            {
                producer.send("orders", Integer.toString(i), "record " + i);
            }
            producer.flush();
            final Consumer a = staticMember(broker.bootstrap(), "a");
            final Set<Integer> ranges = new HashSet<>();
            await(() ->
            {
                a.poll(Duration.ofMillis(50));
                b.poll(Duration.ofMillis(50));
                return sizes(admin).equals(List.of(6, 6)) && admin.describeGroup("g").partitions().stream()
                    .allMatch(p -> p.committedOffset() == p.highWatermark());
            }, "range: 6 each, everything read and auto-committed");
            final Map<String, Set<Integer>> owners = owners(admin);
            owners.values().forEach(set -> ranges.add(set.stream().mapToInt(Integer::intValue).min().orElse(-1)));
            assertEquals(Set.of(0, 6), ranges, "contiguous ranges 0-5 and 6-11");

            a.close();
            assertEquals(owners, owners(admin), "a static member that leaves keeps its place for its session timeout");
            final long beforeOneMore;
            try (Consumer again = staticMember(broker.bootstrap(), "a"))
            {
                await(() ->
                {
                    again.poll(Duration.ofMillis(50));
                    b.poll(Duration.ofMillis(50));
                    return 6 == again.assignment().size();
                }, "the restarted member gets its partitions");
                assertEquals(owners, owners(admin), "back in its place: same member id, same partitions");
                assertTrue(again.poll(Duration.ofMillis(200)).isEmpty(), "it starts where auto-commit left off");
                beforeOneMore = System.currentTimeMillis();
                BrokerProcess.sleep(2);
                producer.send("orders", "k", "one more");
                producer.flush();
                await(() -> !again.poll(Duration.ofMillis(50)).isEmpty() | !b.poll(Duration.ofMillis(50)).isEmpty(),
                    "the new record");
                again.commitAsync().get();
                b.commitAsync().get();
                assertEquals(0, admin.describeGroup("g").totalLag(), "commitAsync");
                final PortaskException busy = assertThrows(PortaskException.class, () -> admin.deleteGroup("g"));
                assertTrue(busy.getMessage().contains("member(s)"), busy.getMessage());
            }
            b.close();
            await(() -> admin.listGroups().getOrDefault("g", -1) == 0, "a static member's place waits, then goes");
            assertEquals(0, PortaskCommands.run(new String[]{ "groups", "reset-offsets", "g", "--topic", "orders",
                "--to-time", Instant.ofEpochMilli(beforeOneMore).toString(), "--bootstrap", broker.bootstrap() },
                InputStream.nullInputStream(), System.out, System.err));
            assertEquals(1, admin.describeGroup("g").totalLag(), "to the first record stamped after the time");
            assertEquals(0, PortaskCommands.run(new String[]{ "groups", "reset-offsets", "g", "--topic", "orders",
                "--to-time", "0", "--bootstrap", broker.bootstrap() }, InputStream.nullInputStream(), System.out,
                System.err));
            assertEquals(121, admin.describeGroup("g").totalLag(), "to the start: every record is after 1970");
            try (BrokerProcess gateway = BrokerProcess.gateway(broker.dataDir()).start();
                HttpClient http = HttpClient.newHttpClient())
            {
                final HttpResponse<String> reset = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" +
                    gateway.port() + "/api/v1/groups/g/reset-offsets")).POST(HttpRequest.BodyPublishers.ofString(
                    "{\"topic\":\"orders\",\"to\":\"latest\"}")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, reset.statusCode(), reset.body());
                assertEquals(0, admin.describeGroup("g").totalLag(), "reset to the end over HTTP");
                final HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" +
                    gateway.port() + "/api/v1/groups/g/reset-offsets")).POST(HttpRequest.BodyPublishers.ofString(
                    "{\"topic\":\"orders\",\"to\":\"yesterday\"}")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(400, bad.statusCode(), bad.body());
                assertTrue(bad.body().contains("'to'"), bad.body());
            }
            final ByteArrayOutputStream cli = new ByteArrayOutputStream();
            assertEquals(0, PortaskCommands.run(new String[]{ "groups", "delete", "g", "--bootstrap",
                broker.bootstrap() }, InputStream.nullInputStream(), new PrintStream(cli, true, StandardCharsets.UTF_8),
                System.err));
            assertEquals("deleted group g (committed offsets on 12 partition(s))", cli.toString().trim());
            assertTrue(admin.describeGroup("g").partitions().isEmpty() && !admin.listGroups().containsKey("g"));
            broker.stop();
            broker.start();
            assertTrue(admin.describeGroup("g").partitions().isEmpty() && !admin.listGroups().containsKey("g"),
                "still gone after a restart");
        }
    }

    private static Consumer staticMember(final String bootstrap, final String instanceId)
    {
        final Consumer consumer = Consumer.builder(bootstrap).group("g").sessionTimeoutMs(SESSION_MS)
            .groupInstanceId(instanceId).assignor("range").autoCommitInterval(Duration.ofMillis(100)).build();
        consumer.subscribe(List.of("orders"), new RebalanceListener()
        {
        });
        return consumer;
    }

    private static MemberLedger ledger(final List<Member> members, final Path processLog)
    {
        final MemberLedger ledger = new MemberLedger();
        for (final Member member : members)
        {
            ledger.read(member.lines());
        }
        try
        {
            ledger.read(Files.readAllLines(processLog));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return ledger;
    }

    private static Process memberProcess(final String bootstrap, final Path log) throws IOException
    {
        final String classpath = Path.of(System.getProperty("portask.root"), "ops", "target", "test-classes") +
            File.pathSeparator + BrokerProcess.classpath();
        final Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx128m", "-cp", classpath, GroupMemberMain.class.getName(), bootstrap, "g", "orders",
            Integer.toString(SESSION_MS)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return process;
    }

    /**
     * @return partitions per member, as the broker describes the group, sorted.
     */
    private static List<Integer> sizes(final Admin admin)
    {
        return owners(admin).values().stream().map(Set::size).sorted().toList();
    }

    private static Map<String, Set<Integer>> owners(final Admin admin)
    {
        final Map<String, Set<Integer>> owners = new HashMap<>();
        try
        {
            final GroupDescription group = admin.describeGroup("g");
            group.members().forEach(member -> owners.put(member.memberId(), new HashSet<>()));
            group.partitions().stream().filter(p -> !p.owner().isEmpty())
                .forEach(p -> owners.computeIfAbsent(p.owner(), o -> new HashSet<>()).add(p.partition()));
        }
        catch (final PortaskException ex)
        {
            // the broker is restarting
        }
        return owners;
    }

    /**
     * The group as the protocol, the CLI, the gateway's REST route and its metrics show it.
     */
    private static void assertDescribedEverywhere(final BrokerProcess broker, final Admin admin) throws Exception
    {
        final GroupDescription described = admin.describeGroup("g");
        assertEquals(2, described.members().size());
        assertEquals(PARTITIONS, described.partitions().stream().filter(p -> !p.owner().isEmpty()).count());
        assertTrue(described.partitions().stream().allMatch(p -> p.lag() >= 0 && p.committedOffset() >= 0));
        assertEquals(2, admin.listGroups().get("g"));
        final ByteArrayOutputStream cli = new ByteArrayOutputStream();
        assertEquals(0, PortaskCommands.run(new String[]{ "groups", "describe", "g", "--bootstrap",
            broker.bootstrap() }, InputStream.nullInputStream(), new PrintStream(cli, true, StandardCharsets.UTF_8),
            System.err));
        assertTrue(cli.toString(StandardCharsets.UTF_8).startsWith("g\tmembers=2\tlag="), cli.toString());
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
                    try
                    {
                        producer.send("orders", Integer.toString(i), "record " + i);
                        if (i % 100 == 99)
                        {
                            producer.flush();
                        }
                    }
                    catch (final PortaskException ex)
                    {
                        // the broker is restarting: this record may be lost, the test counts what the log holds
                    }
                    if (i % 100 == 99)
                    {
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
