package io.portask.storage;

import io.portask.protocol.RecordBatch;
import io.portask.storage.spi.PartitionLogException;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DragonflyPartitionLogTest
{
    private final TestBatches batches = new TestBatches();
    private final UnsafeBuffer dst = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
    private final CountersManager counters = new CountersManager(
        new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)), new UnsafeBuffer(ByteBuffer.allocateDirect(8192)));

    private DragonflyPartitionLog log(final long start, final String startId, final int capacity)
    {
        final MemoryBudget budget = new MemoryBudget(1 << 20, counters.newCounter("held"),
            counters.newCounter("evictions"));
        return new DragonflyPartitionLog("d/0", new MemoryPartitionLog("d/0", 4096, 1 << 20, start, budget),
            start, startId, capacity);
    }

    @Test
    void shouldServeOnlyWhatDragonflyConfirmed()
    {
        final DragonflyPartitionLog log = log(0, "", 16);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(i * 2L, log.append(batches.buffer(), 0, batches.batch("v" + i, 2)));
        }
        assertEquals(0, log.highWatermark());
        assertEquals(6, log.appendedNext());
        assertEquals(0, log.read(0, Integer.MAX_VALUE, dst, 0, dst.capacity()), "nothing confirmed, nothing read");

        log.confirm(4);
        assertEquals(4, log.highWatermark());
        final int length = log.read(0, Integer.MAX_VALUE, dst, 0, dst.capacity());
        assertEquals(0, RecordBatch.baseOffset(dst, 0));
        final int first = RecordBatch.batchLength(dst, 0);
        assertEquals(2 * first, length, "the unconfirmed third batch is not served");
        assertEquals(2, RecordBatch.baseOffset(dst, first));
    }

    @Test
    void shouldHandOverEveryBatchInOrderWithItsOffsets()
    {
        final DragonflyPartitionLog log = log(0, "", 16);
        final int length = batches.batch("x", 5);
        log.append(batches.buffer(), 0, length);
        log.append(batches.buffer(), 0, batches.batch("y", 1));
        final DragonflyPartitionLog.PendingBatch first = log.poll();
        assertEquals(0, first.baseOffset());
        assertEquals(5, first.recordCount());
        assertEquals(length, first.bytes().length);
        final UnsafeBuffer copy = new UnsafeBuffer(first.bytes());
        assertEquals(0, RecordBatch.baseOffset(copy, 0), "the copy carries the assigned base offset");
        assertEquals(5, log.poll().baseOffset());
        assertNull(log.poll());
    }

    @Test
    void shouldResumeOffsetsWhereTheStreamEnds()
    {
        final DragonflyPartitionLog log = log(42, "40-2", 16);
        assertEquals(42, log.highWatermark());
        assertEquals("40-2", log.startId());
        assertEquals(42, log.append(batches.buffer(), 0, batches.batch("z", 1)));
        assertEquals(42, log.logStartOffset());
    }

    @Test
    void shouldRefuseAppendsWhenDragonflyFallsTooFarBehind()
    {
        final DragonflyPartitionLog log = log(0, "", 2);
        log.append(batches.buffer(), 0, batches.batch("a", 1));
        log.append(batches.buffer(), 0, batches.batch("b", 1));
        final PartitionLogException refused = assertThrows(PartitionLogException.class,
            () -> log.append(batches.buffer(), 0, batches.batch("c", 1)));
        assertTrue(refused.getMessage().contains("Dragonfly is behind on d/0"), refused.getMessage());
        assertEquals(2, log.appendedNext(), "a refused append takes no offsets");
    }
}
