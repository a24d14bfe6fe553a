package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.Consumer;
import io.portask.client.OffsetReset;
import io.portask.client.PortaskException;
import io.portask.client.Producer;
import io.portask.client.TopicPartition;
import io.portask.ops.CountersFile;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory tier and memory-only topics of a real broker, with budgets small enough to overflow.
 */
class MemoryTierSystemTest
{
    @TempDir
    Path dir;

    private static long counter(final BrokerProcess broker, final String label)
    {
        final Long value = CountersFile.read(broker.dataDir().resolve("aeron").toFile()).get(label);
        assertTrue(null != value, "no counter '" + label + "'");
        return value;
    }

    @Test
    void shouldServeHeadFromMemoryAndSayWhenMemoryOnlyRecordsWereEvicted() throws Exception
    {
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data"),
            "-Dportask.memory.partition.bytes=8m", "-Dportask.memory.tier.partition.bytes=8m").start();
            Admin admin = Admin.connect(broker.bootstrap());
            Producer producer = Producer.builder(broker.bootstrap()).ackLevel(AckLevel.MEMORY).batchBytes(256 * 1024)
                .lingerMs(5).build();
            Consumer consumer = Consumer.builder(broker.bootstrap()).autoOffsetReset(OffsetReset.NONE).build())
        {
            admin.createTopic("hot", 1, StorageKind.MEMORY);
            admin.createTopic("warm", 1, StorageKind.JOURNAL);
            final byte[] value = new byte[10_000];
            for (int i = 0; i < 2_000; i++)
            {
                producer.send(new TopicPartition("hot", 0), null, value, List.of());
                producer.send(new TopicPartition("warm", 0), null, value, List.of());
            }
            producer.flush();

            final long[] hot = admin.offsets(new TopicPartition("hot", 0));
            assertEquals(2_000, hot[1]);
            assertTrue(hot[0] > 0, "20 MB through an 8 MB memory-only partition must evict");
            final TopicPartition hot0 = new TopicPartition("hot", 0);
            consumer.assign(hot0);
            consumer.seek(hot0, 0);
            final PortaskException evicted = assertThrows(PortaskException.class,
                () -> consumer.poll(Duration.ofSeconds(5)));
            assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, evicted.code());
            assertTrue(evicted.getMessage().contains("was evicted from memory; the oldest held is " + hot[0]),
                evicted.getMessage());
            assertEquals(1, counter(broker, "memory evicted reads"));
            assertTrue(counter(broker, "memory evictions") > 0);
            assertTrue(counter(broker, "memory bytes held") <= 16L << 20);

            final long hitsBefore = counter(broker, "memory tier hits");
            final long missesBefore = counter(broker, "memory tier misses");
            final TopicPartition warm0 = new TopicPartition("warm", 0);
            try (Consumer warm = Consumer.builder(broker.bootstrap()).build())
            {
                warm.assign(warm0);
                warm.seek(warm0, 1_999);
                assertEquals(1_999, BrokerSystemTest.pollUntil(warm, 1).get(0).offset());
                assertTrue(counter(broker, "memory tier hits") > hitsBefore);
                warm.seek(warm0, 0);
                assertEquals(0, warm.poll(Duration.ofSeconds(5)).get(0).offset(),
                    "old journal offsets are served from the journal");
            }
            assertTrue(counter(broker, "memory tier misses") > missesBefore);
        }
    }
}
