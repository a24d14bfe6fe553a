package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.Consumer;
import io.portask.client.ConsumerRecord;
import io.portask.client.OffsetReset;
import io.portask.client.PortaskException;
import io.portask.client.Producer;
import io.portask.client.RecordView;
import io.portask.client.SendCallback;
import io.portask.client.TopicPartition;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SDK's allocation-lean paths against a real broker process: records sent from one reused off-heap buffer and
 * answered through a callback (no future, no metadata object), and read back through a {@link RecordView} over the
 * fetched bytes; their results are the same as the copying APIs', and the sending thread allocates a small fraction
 * of what a send with a future does.
 */
class SdkZeroCopySystemTest
{
    /** Under 64 batches of 16 KiB a run: after the warm-up every batch reuses a settled one's memory. */
    private static final int RECORDS = 5_000;

    @TempDir
    Path dir;

    @Test
    void shouldSendFromAReusedBufferThroughCallbacksAndReadThroughAView() throws Exception
    {
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data")).start())
        {
            try (Admin admin = Admin.connect(broker.bootstrap()))
            {
                admin.createTopic("zc", 1, StorageKind.JOURNAL);
            }
            final TopicPartition partition = new TopicPartition("zc", 0);
            final ConcurrentLinkedQueue<Long> offsets = new ConcurrentLinkedQueue<>();
            final AtomicReference<PortaskException> failed = new AtomicReference<>();
            final UnsafeBuffer payload = new UnsafeBuffer(ByteBuffer.allocateDirect(100));
            final UnsafeBuffer key = new UnsafeBuffer("k-7".getBytes(StandardCharsets.UTF_8));
            final long callbackBytes;
            final long futureBytes;
            try (Producer producer = Producer.builder(broker.bootstrap()).lingerMs(5).build())
            {
                final SendCallback callback = (where, offset, error) ->
                {
                    if (null == error)
                    {
                        offsets.add(offset);
                    }
                    else
                    {
                        failed.set(error);
                    }
                };
                // futures' records carry -1 in their first four bytes, callbacks' their index 0..RECORDS-1
                final byte[] value = ByteBuffer.allocate(100).order(ByteOrder.LITTLE_ENDIAN).putInt(0, -1).array();
                final Runnable withFutures = () ->
                {
                    for (int i = 0; i < RECORDS; i++)
                    {
                        producer.send(partition, "k-7".getBytes(StandardCharsets.UTF_8), value, List.of());
                    }
                    producer.flush();
                };
                final Runnable withCallbacks = () ->
                {
                    for (int i = 0; i < RECORDS; i++)
                    {
                        payload.putInt(0, i, ByteOrder.LITTLE_ENDIAN);
                        producer.send(partition, key, 0, key.capacity(), payload, 0, payload.capacity(), callback);
                    }
                    producer.flush();
                };
                withFutures.run();
                withCallbacks.run();
                futureBytes = allocatedPerRecord(withFutures);
                callbackBytes = allocatedPerRecord(withCallbacks);
                final UnsafeBuffer huge = new UnsafeBuffer(ByteBuffer.allocateDirect(2 << 20));
                producer.send(partition, null, 0, 0, huge, 0, huge.capacity(), callback);
                assertEquals(ErrorCode.MESSAGE_TOO_LARGE, failed.get().code());
            }
            final List<Long> acked = new ArrayList<>(offsets);
            assertEquals(2 * RECORDS, acked.size());
            for (int i = 0; i < RECORDS; i++)
            {
                assertEquals(RECORDS + i, acked.get(i), "callbacks in offset order");
                assertEquals(3 * RECORDS + i, acked.get(RECORDS + i), "callbacks in offset order");
            }
            System.out.println("sending thread, bytes per record: callback " + callbackBytes + ", future " +
                futureBytes);
            // no future, no metadata, no key array per record, batches pooled: under a byte a record, once warm
            assertEquals(0, callbackBytes,
                "sending thread, bytes per record: callback " + callbackBytes + ", future " + futureBytes);
            assertTrue(futureBytes > 0);

            readBackTheSameBothWays(broker, partition, 4 * RECORDS);
        }
    }

    /**
     * Futures' records (every other block of RECORDS) carry -1, callbacks' their index: read them all through a
     * view and through copies, and find the same.
     */
    private static void readBackTheSameBothWays(final BrokerProcess broker, final TopicPartition partition,
        final int total)
    {
        final List<ConsumerRecord> copied = new ArrayList<>();
        final List<Integer> seen = new ArrayList<>();
        try (Consumer viewing = Consumer.builder(broker.bootstrap()).autoOffsetReset(OffsetReset.EARLIEST).build();
            Consumer copying = Consumer.builder(broker.bootstrap()).autoOffsetReset(OffsetReset.EARLIEST).build())
        {
            viewing.assign(partition);
            copying.assign(partition);
            final long deadlineNs = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seen.size() < total && System.nanoTime() < deadlineNs)
            {
                viewing.poll(Duration.ofMillis(100), (RecordView record) ->
                {
                    assertEquals(seen.size(), record.offset());
                    assertEquals("k-7", record.keyAsString());
                    assertEquals(100, record.valueLength());
                    seen.add(record.buffer().getInt(record.valueOffset(), ByteOrder.LITTLE_ENDIAN));
                    if (record.offset() == RECORDS + 1)
                    {
                        final ConsumerRecord copy = record.toRecord();
                        assertEquals(RECORDS + 1, copy.offset());
                        assertArrayEquals(record.value(), copy.value());
                    }
                });
            }
            while (copied.size() < total && System.nanoTime() < deadlineNs)
            {
                copied.addAll(copying.poll(Duration.ofMillis(100)));
            }
        }
        assertEquals(total, seen.size());
        assertEquals(total, copied.size());
        for (int i = 0; i < total; i++)
        {
            final int expected = (i / RECORDS) % 2 == 0 ? -1 : i % RECORDS;
            assertEquals(expected, seen.get(i), "the value read in place is the one sent, at " + i);
            assertEquals(expected,
                ByteBuffer.wrap(copied.get(i).value()).order(ByteOrder.LITTLE_ENDIAN).getInt(0));
        }
    }

    /**
     * @return bytes the calling thread allocated per record while the action ran.
     */
    private static long allocatedPerRecord(final Runnable action)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long before = threads.getCurrentThreadAllocatedBytes();
        action.run();
        return (threads.getCurrentThreadAllocatedBytes() - before) / RECORDS;
    }
}
