package io.portask.storage;

import io.portask.protocol.RecordBatch;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryPartitionLogTest
{
    private final TestBatches batches = new TestBatches();
    private final UnsafeBuffer dst = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));

    @Test
    void shouldReadBatchHoldingOffset()
    {
        final MemoryPartitionLog log = new MemoryPartitionLog("m/0", 4096, 1 << 20);
        for (int i = 0; i < 100; i++)
        {
            final int length = batches.batch("v" + i, 3);
            assertEquals(i * 3L, log.append(batches.buffer(), 0, length));
        }
        assertEquals(300, log.highWatermark());
        for (final long from : new long[]{ 0, 1, 150, 151, 299 })
        {
            final int length = log.read(from, 1, dst, 0, dst.capacity());
            assertTrue(length > 0);
            assertEquals(from / 3 * 3, RecordBatch.baseOffset(dst, 0), "from " + from);
        }
        assertEquals(0, log.read(300, 1, dst, 0, dst.capacity()));
    }

    @Test
    void shouldEvictOldestSegmentWithinBudgetAndMoveLogStart()
    {
        final int segment = 4096;
        final MemoryPartitionLog log = new MemoryPartitionLog("m/0", segment, 2 * segment);
        final int length = batches.batch("x", 10);
        final int perSegment = segment / length;
        final int appended = perSegment * 5;
        for (int i = 0; i < appended; i++)
        {
            log.append(batches.buffer(), 0, batches.batch("x", 10));
        }
        assertTrue(log.bytesHeld() <= 2 * segment);
        assertTrue(log.logStartOffset() > 0);
        assertEquals(appended * 10L, log.highWatermark());
        assertEquals(0, log.read(0, 1, dst, 0, dst.capacity()));
        final int read = log.read(log.logStartOffset(), Integer.MAX_VALUE, dst, 0, dst.capacity());
        assertEquals(log.logStartOffset(), RecordBatch.baseOffset(dst, 0));
        assertEquals(log.bytesHeld(), read);
    }
}
