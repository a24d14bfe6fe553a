package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.Consumer;
import io.portask.client.ConsumerRecord;
import io.portask.client.Producer;
import io.portask.client.TopicPartition;
import io.portask.ops.CountersFile;
import io.portask.protocol.sbe.StorageKind;
import io.portask.protocol.sbe.SubscribeRequestEncoder;
import io.portask.testsupport.BrokerProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A subscriber that grants the largest credit and never reads must not grow the broker's memory: its pending
 * output is bounded by portask.connection.max.pending.bytes, other consumers get everything, and a connection
 * stuck over the bound past the write time-out is closed and counted.
 */
@Tag("slow")
class SlowSubscriberSystemTest
{
    private static final int RECORD_BYTES = 1000;
    private static final long MAX_PENDING_BYTES = 4L << 20;
    /** Rings, Netty's pooled chunks, the memory tier's last segment, JIT and GC noise. */
    private static final long CONSTANT_BYTES = 48L << 20;

    @TempDir
    Path dir;

    @Test
    void shouldBoundMemoryOfASubscriberThatNeverReads() throws Exception
    {
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data"), "-Xms512m", "-XX:+AlwaysPreTouch",
            "-Dportask.connection.max.pending.bytes=" + MAX_PENDING_BYTES,
            "-Dportask.connection.write.timeout.ms=600000").start();
            Admin admin = Admin.connect(broker.bootstrap());
            Producer producer = Producer.builder(broker.bootstrap()).lingerMs(1).build();
            Consumer reader = Consumer.builder(broker.bootstrap()).build())
        {
            admin.createTopic("flood", 1, StorageKind.JOURNAL);
            final TopicPartition tp = new TopicPartition("flood", 0);
            reader.subscribe(tp, 0);
            produce(producer, 100_000);
            assertEquals(100_000, drain(reader, 100_000), "warm-up");

            try (RawConnection stuck = new RawConnection(broker.port()))
            {
                subscribeWithMaximalCredit(stuck, 100_000);
                final long before = rssAnonBytes(broker.pid());
                produce(producer, 500_000);
                assertEquals(500_000, drain(reader, 500_000), "the other consumer gets everything");
                final long growth = rssAnonBytes(broker.pid()) - before;
                final Map<String, Long> counters = CountersFile.read(broker.dataDir().resolve("aeron").toFile());
                assertTrue(counters.get("pushes paused") >= 1, counters.toString());
                assertEquals(0L, counters.get("slow connections closed"), "within the time-out it stays open");
                assertTrue(growth < MAX_PENDING_BYTES + CONSTANT_BYTES,
                    "anonymous memory grew " + (growth >> 20) + " MiB while 500 MB flowed past a stuck subscriber");
                System.out.println("slow subscriber: broker RssAnon growth " + (growth >> 10) + " KiB while " +
                    500_000L * RECORD_BYTES / 1_000_000 + " MB flowed");
            }
        }
    }

    @Test
    void shouldCloseAConnectionStuckOverItsBoundPastTheWriteTimeout() throws Exception
    {
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data"),
            "-Dportask.connection.max.pending.bytes=" + MAX_PENDING_BYTES,
            "-Dportask.connection.write.timeout.ms=1000").start();
            Admin admin = Admin.connect(broker.bootstrap());
            Producer producer = Producer.builder(broker.bootstrap()).lingerMs(1).build())
        {
            admin.createTopic("flood", 1, StorageKind.JOURNAL);
            try (RawConnection stuck = new RawConnection(broker.port()))
            {
                subscribeWithMaximalCredit(stuck, 0);
                produce(producer, 30_000);
                final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                Map<String, Long> counters = Map.of();
                while (System.nanoTime() < deadline)
                {
                    counters = CountersFile.read(broker.dataDir().resolve("aeron").toFile());
                    if (counters.getOrDefault("slow connections closed", 0L) == 1L)
                    {
                        break;
                    }
                    BrokerProcess.sleep(100);
                }
                assertEquals(1L, counters.get("slow connections closed"), counters.toString());
                admin.health();
            }
        }
    }

    private static void produce(final Producer producer, final int records)
    {
        final byte[] value = new byte[RECORD_BYTES];
        for (int i = 0; i < records; i++)
        {
            producer.send(new TopicPartition("flood", 0), null, value, List.of());
        }
        producer.flush();
    }

    private static int drain(final Consumer consumer, final int records)
    {
        int received = 0;
        final long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (received < records && System.nanoTime() < deadline)
        {
            final List<ConsumerRecord> polled = consumer.poll(Duration.ofMillis(200));
            received += polled.size();
        }
        return received;
    }

    private static void subscribeWithMaximalCredit(final RawConnection connection, final long from)
        throws IOException
    {
        connection.send((buffer, header) -> new SubscribeRequestEncoder()
            .wrapAndApplyHeader(buffer, 8, header)
            .correlationId(1)
            .partition(0)
            .startOffset(from)
            .creditBytes(Integer.MAX_VALUE)
            .topic("flood")
            .encodedLength());
        connection.receive();
    }

    private static long rssAnonBytes(final long pid) throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")))
        {
            if (line.startsWith("RssAnon:"))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no RssAnon in /proc/" + pid + "/status");
    }
}
