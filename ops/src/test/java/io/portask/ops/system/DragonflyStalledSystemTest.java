package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.PortaskException;
import io.portask.client.Producer;
import io.portask.client.TopicPartition;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import io.portask.testsupport.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Dragonfly that hangs (redis-server under SIGSTOP: connects and commands neither answer nor fail) must not
 * stall the broker's core: creating topics, a Dragonfly-only one included, and producing to every journal
 * partition still answer at their normal latency; the new Dragonfly-only partition answers a retriable error until
 * Dragonfly is back, then serves. Dragonfly's time-out is set far above the bound asserted here, so a core that
 * waited on Dragonfly would fail the test rather than pass slowly.
 */
class DragonflyStalledSystemTest
{
    private static final long BOUND_MS = 3_000;

    @TempDir
    Path dir;

    @Test
    void shouldAnswerEveryPartitionWhileDragonflyHangs() throws Exception
    {
        try (RedisServer redis = new RedisServer(dir.resolve("redis"), null).start();
            BrokerProcess broker = new BrokerProcess(dir.resolve("data"), "-Dportask.dragonfly.host=127.0.0.1",
                "-Dportask.dragonfly.port=" + redis.port(), "-Dportask.dragonfly.timeout.ms=20000").start();
            Admin admin = Admin.connect(broker.bootstrap());
            Producer producer = Producer.builder(broker.bootstrap()).build())
        {
            admin.createTopic("orders", 4, StorageKind.JOURNAL);
            final long[] before = produceToEveryPartition(producer, "orders", 4, 100);

            redis.suspend();
            final long createStart = System.nanoTime();
            admin.createTopic("audit", 4, StorageKind.JOURNAL);
            admin.createTopic("ticks", 2, StorageKind.DRAGONFLY);
            final long createMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - createStart);
            final long[] orders = produceToEveryPartition(producer, "orders", 4, 100);
            final long[] audit = produceToEveryPartition(producer, "audit", 4, 100);
            final long[] during = Arrays.copyOf(orders, orders.length + audit.length);
            System.arraycopy(audit, 0, during, orders.length, audit.length);
            Arrays.sort(during);
            final PortaskException notReady = assertRefused(producer, "ticks");
            System.out.printf("Dragonfly hung (SIGSTOP): two topic creates %d ms; produce-ack to 8 journal " +
                "partitions p50 %.2f ms max %.2f ms (before: p50 %.2f ms max %.2f ms)%n", createMs,
                median(during) / 1e3, max(during) / 1e3, median(before) / 1e3, max(before) / 1e3);
            assertTrue(createMs < BOUND_MS, "topic creates took " + createMs + " ms");
            assertTrue(max(during) < TimeUnit.MILLISECONDS.toMicros(BOUND_MS),
                "slowest produce took " + max(during) + " us");
            assertEquals(ErrorCode.STORAGE_ERROR, notReady.code());
            assertTrue(notReady.getMessage().contains("not ready"), notReady.getMessage());

            redis.resume();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true)
            {
                try
                {
                    assertEquals(0, producer.sendSync("ticks", null, "first").offset());
                    break;
                }
                catch (final PortaskException notYet)
                {
                    assertTrue(System.nanoTime() < deadline, "ticks never became ready: " + notYet.getMessage());
                    BrokerProcess.sleep(100);
                }
            }
        }
    }

    /**
     * @return each produce-ack round trip in microseconds, sorted.
     */
    private static long[] produceToEveryPartition(
        final Producer producer, final String topic, final int partitions, final int perPartition)
    {
        final long[] micros = new long[partitions * perPartition];
        int n = 0;
        for (int i = 0; i < perPartition; i++)
        {
            for (int p = 0; p < partitions; p++)
            {
                final long start = System.nanoTime();
                assertEquals(p, producer.send(new TopicPartition(topic, p), null,
                    ("v" + i).getBytes(StandardCharsets.UTF_8), List.of()).join().partition());
                micros[n++] = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
            }
        }
        Arrays.sort(micros);
        return micros;
    }

    private static long median(final long[] sorted)
    {
        return sorted[sorted.length / 2];
    }

    private static long max(final long[] sorted)
    {
        return sorted[sorted.length - 1];
    }

    private static PortaskException assertRefused(final Producer producer, final String topic)
    {
        try
        {
            producer.sendSync(topic, null, "too early");
        }
        catch (final PortaskException refused)
        {
            return refused;
        }
        throw new AssertionError("a produce to a Dragonfly-only partition was acknowledged while Dragonfly hung");
    }
}
