package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.ClientIdle;
import io.portask.client.Consumer;
import io.portask.client.ConsumerRecord;
import io.portask.client.OffsetReset;
import io.portask.client.PortaskException;
import io.portask.client.Producer;
import io.portask.client.RecordMetadata;
import io.portask.client.TopicPartition;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SDK's spinning idle modes against a real broker process: a producer whose sendSync ships and reads its
 * answer on the caller's thread, async sends beside it, a fetching and a push consumer that read the socket on
 * their polling thread; and a broker gone mid-way fails the waiter instead of leaving it spinning.
 */
class ClientIdleSystemTest
{
    private static final int RECORDS = 300;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = ClientIdle.class, names = {"BUSY_SPIN", "YIELDING", "BACKOFF"})
    void shouldProduceAndConsumeWithASpinningClient(final ClientIdle idle) throws Exception
    {
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data")).start())
        {
            try (Admin admin = Admin.connect(broker.bootstrap()))
            {
                admin.createTopic("spin", 1, StorageKind.JOURNAL);
            }
            final TopicPartition partition = new TopicPartition("spin", 0);
            try (Producer producer = Producer.builder(broker.bootstrap()).idle(idle).build())
            {
                for (int i = 0; i < RECORDS; i++)
                {
                    final RecordMetadata stored = producer.sendSync(partition, null, bytes("sync-" + i), List.of());
                    assertEquals(i, stored.offset());
                }
                final List<CompletableFuture<RecordMetadata>> pending = new ArrayList<>();
                for (int i = 0; i < RECORDS; i++)
                {
                    pending.add(producer.send(partition, null, bytes("async-" + i), List.of()));
                    if (i % 50 == 0)
                    {
                        // joins the batch behind the async records appended before it, in append order
                        assertEquals(RECORDS + i + 1 + i / 50, producer.sendSync(partition, null,
                            bytes("sync-between-" + i), List.of()).offset(), idle.toString());
                    }
                }
                producer.flush();
                assertTrue(pending.stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally()));
            }
            final int total = 2 * RECORDS + RECORDS / 50;
            try (Consumer fetching = Consumer.builder(broker.bootstrap()).idle(idle)
                .autoOffsetReset(OffsetReset.EARLIEST).build();
                Consumer pushed = Consumer.builder(broker.bootstrap()).idle(idle).build())
            {
                fetching.assign(partition);
                pushed.subscribe(partition, 0);
                assertEquals(total, readAll(fetching, total));
                assertEquals(total, readAll(pushed, total));
            }
        }
    }

    @Test
    void shouldFailASpinningWaiterWhenTheBrokerGoes() throws Exception
    {
        final BrokerProcess broker = new BrokerProcess(dir.resolve("data")).start();
        try (Producer producer = Producer.builder(broker.bootstrap()).idle(ClientIdle.BUSY_SPIN)
            .deliveryTimeout(Duration.ofSeconds(3)).requestTimeout(Duration.ofSeconds(1)).retryBackoffMs(100).build())
        {
            try (Admin admin = Admin.connect(broker.bootstrap()))
            {
                admin.createTopic("gone", 1, StorageKind.JOURNAL);
            }
            final TopicPartition partition = new TopicPartition("gone", 0);
            assertEquals(0, producer.sendSync(partition, null, bytes("before"), List.of()).offset());
            broker.close();
            final long startNs = System.nanoTime();
            assertThrows(PortaskException.class, () -> producer.sendSync(partition, null, bytes("after"), List.of()));
            assertTrue(System.nanoTime() - startNs < Duration.ofSeconds(20).toNanos());
        }
    }

    private static int readAll(final Consumer consumer, final int expected)
    {
        final List<ConsumerRecord> seen = new ArrayList<>();
        final long deadlineNs = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (seen.size() < expected && System.nanoTime() < deadlineNs)
        {
            seen.addAll(consumer.poll(Duration.ofMillis(100)));
        }
        for (int i = 0; i < seen.size(); i++)
        {
            assertEquals(i, seen.get(i).offset());
        }
        return seen.size();
    }

    @Test
    void shouldRunTheClientsIoOnThreadsTheApplicationMakesPinnedWhereItSays() throws Exception
    {
        final int cpu = Runtime.getRuntime().availableProcessors() - 1;
        final Map<String, String> allowed = new ConcurrentHashMap<>();
        final ThreadFactory pinned = task -> new Thread(() ->
        {
            net.openhft.affinity.Affinity.setAffinity(cpu); // what an application pinning its client would do
            allowed.put(Thread.currentThread().getName(), cpusAllowedOfThisThread());
            task.run();
        });
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data")).start())
        {
            try (Admin admin = Admin.connect(broker.bootstrap()))
            {
                admin.createTopic("pinned", 1, StorageKind.JOURNAL);
            }
            final TopicPartition partition = new TopicPartition("pinned", 0);
            try (Producer producer = Producer.builder(broker.bootstrap()).idle(ClientIdle.BUSY_SPIN)
                .threads(pinned).build();
                Consumer consumer = Consumer.builder(broker.bootstrap()).idle(ClientIdle.BUSY_SPIN).threads(pinned)
                    .autoOffsetReset(OffsetReset.EARLIEST).build())
            {
                assertEquals(0, producer.sendSync(partition, null, bytes("one"), List.of()).offset());
                consumer.assign(partition);
                final List<ConsumerRecord> read = new ArrayList<>();
                final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (read.isEmpty() && System.nanoTime() < deadline)
                {
                    consumer.poll(Duration.ofMillis(100)).forEach(read::add);
                }
                assertEquals("one", new String(read.get(0).value(), StandardCharsets.UTF_8));
            }
        }
        final String only = Integer.toString(cpu);
        assertEquals(Map.of("portask-client-reader", only, "portask-producer-sender", only), allowed,
            "the producer's sender and the connections' readers came from the factory and run where it put them");
    }

    private static String cpusAllowedOfThisThread()
    {
        try
        {
            return BrokerProcess.cpusAllowedIn(Path.of("/proc/thread-self/status"));
        }
        catch (final java.io.IOException ex)
        {
            return ex.toString();
        }
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
