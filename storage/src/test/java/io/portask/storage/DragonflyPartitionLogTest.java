package io.portask.storage;

import io.portask.protocol.RecordBatch;
import io.portask.storage.spi.PartitionLogException;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DragonflyPartitionLogTest
{
    private final TestBatches batches = new TestBatches();
    private final UnsafeBuffer dst = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
    private final CountersManager counters = new CountersManager(
        new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)), new UnsafeBuffer(ByteBuffer.allocateDirect(8192)));

    private final DragonflyHandoff handoff = new DragonflyHandoff(4096);

    private DragonflyPartitionLog log(final long start, final String startId, final long maxPendingBytes)
    {
        final DragonflyPartitionLog log = notReady(maxPendingBytes);
        log.ready(start, startId);
        return log;
    }

    private DragonflyPartitionLog notReady(final long maxPendingBytes)
    {
        final MemoryBudget budget = new MemoryBudget(1 << 20, counters.newCounter("held"),
            counters.newCounter("evictions"));
        return new DragonflyPartitionLog("d/0", handoff.nextHandle(), handoff.ring(), maxPendingBytes,
            from -> new MemoryPartitionLog("d/0", 4096, 1 << 20, from, budget), handoff.olderReads());
    }

    /** The batches handed over, as the write-behind agent reads them: copies, with the ring's type id. */
    private List<UnsafeBuffer> handedOver(final int handle)
    {
        final List<UnsafeBuffer> taken = new ArrayList<>();
        handoff.ring().read((typeId, buffer, index, length) ->
        {
            assertEquals(handle, typeId);
            final byte[] copy = new byte[length];
            buffer.getBytes(index, copy);
            taken.add(new UnsafeBuffer(copy));
        });
        return taken;
    }

    @Test
    void shouldServeOnlyWhatDragonflyConfirmed()
    {
        final DragonflyPartitionLog log = log(0, "", 1 << 20);
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
        final DragonflyPartitionLog log = log(0, "", 1 << 20);
        final int length = batches.batch("x", 5);
        log.append(batches.buffer(), 0, length);
        log.append(batches.buffer(), 0, batches.batch("y", 1));
        final List<UnsafeBuffer> taken = handedOver(log.handle());
        final UnsafeBuffer first = taken.get(0);
        assertEquals(0, RecordBatch.baseOffset(first, 0), "the copy carries the assigned base offset");
        assertEquals(5, RecordBatch.recordCount(first, 0));
        assertEquals(length, first.capacity());
        assertEquals(5, RecordBatch.baseOffset(taken.get(1), 0));
        assertEquals(2, taken.size());
    }

    @Test
    void shouldResumeOffsetsWhereTheStreamEnds()
    {
        final DragonflyPartitionLog log = log(42, "40-2", 1 << 20);
        assertEquals(42, log.highWatermark());
        assertEquals("40-2", log.startId());
        assertEquals(42, log.append(batches.buffer(), 0, batches.batch("z", 1)));
        assertEquals(0, log.logStartOffset(), "what came before is in the stream");
    }

    @Test
    void shouldAskForRecordsOlderThanMemoryOnceAndServeThemWhenReadBack()
    {
        final DragonflyPartitionLog log = log(42, "40-2", 1 << 20);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[4096]);
        assertEquals(0, log.read(10, 4096, out, 0, out.capacity()), "not read back yet");
        assertEquals(0, log.read(11, 4096, out, 0, out.capacity()));
        assertEquals(log, handoff.olderReads().poll(), "asked once");
        assertEquals(null, handoff.olderReads().poll());
        assertEquals(10, log.olderFrom());

        final int length = batches.batch("old", 2);
        RecordBatch.baseOffset(batches.buffer(), 0, 10);
        final byte[] twoBatches = new byte[2 * length];
        batches.buffer().getBytes(0, twoBatches, 0, length);
        RecordBatch.baseOffset(batches.buffer(), 0, 12);
        batches.buffer().getBytes(0, twoBatches, length, length);
        log.olderRead(10, 14, twoBatches);

        assertEquals(2 * length, log.read(11, 4096, out, 0, out.capacity()));
        assertEquals(10, RecordBatch.baseOffset(out, 0));
        assertEquals(length, log.read(12, 1, out, 0, out.capacity()), "the batch holding 12, whole");
        assertEquals(12, RecordBatch.baseOffset(out, 0));
        assertEquals(0, log.read(20, 4096, out, 0, out.capacity()), "outside what was read back: ask again");
        assertEquals(log, handoff.olderReads().poll());
    }

    @Test
    void shouldRefuseAppendsWhenDragonflyFallsTooFarBehind()
    {
        final int length = batches.batch("a", 1);
        final DragonflyPartitionLog log = log(0, "", 2L * length);
        log.append(batches.buffer(), 0, batches.batch("a", 1));
        log.append(batches.buffer(), 0, batches.batch("b", 1));
        final PartitionLogException refused = assertThrows(PartitionLogException.class,
            () -> log.append(batches.buffer(), 0, batches.batch("c", 1)));
        assertTrue(refused.getMessage().contains("Dragonfly is behind on d/0"), refused.getMessage());
        assertEquals(2, log.appendedNext(), "a refused append takes no offsets");
    }

    @Test
    void shouldTakeMoreOnceTheWriteBehindReleasesWhatDragonflyHas()
    {
        final int length = batches.batch("a", 1);
        final DragonflyPartitionLog log = log(0, "", length);
        log.append(batches.buffer(), 0, batches.batch("a", 1));
        assertThrows(PartitionLogException.class, () -> log.append(batches.buffer(), 0, batches.batch("b", 1)));
        log.release(length);
        assertEquals(1, log.append(batches.buffer(), 0, batches.batch("b", 1)));
    }

    @Test
    void shouldRefuseEverythingUntilReadyWithoutTouchingTheNetwork()
    {
        final DragonflyPartitionLog log = notReady(1 << 20);
        assertFalse(log.isReady());
        assertEquals(0, log.highWatermark());
        assertEquals(-1, log.appendedNext());
        final PartitionLogException refused = assertThrows(PartitionLogException.class,
            () -> log.append(batches.buffer(), 0, batches.batch("a", 1)));
        assertTrue(refused.getMessage().contains("d/0 is not ready"), refused.getMessage());
        assertTrue(handedOver(log.handle()).isEmpty());

        log.ready(7, "5-2");
        assertTrue(log.isReady());
        assertEquals(7, log.highWatermark());
        assertEquals(7, log.append(batches.buffer(), 0, batches.batch("a", 1)));
    }
}
