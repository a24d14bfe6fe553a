package io.portask.storage;

import io.portask.protocol.RecordBatch;
import io.portask.protocol.RecordBatchWriter;
import org.agrona.collections.MutableLong;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryPartitionLogTest
{
    private static final int SEGMENT = 4096;

    @TempDir
    File dir;

    private final TestBatches batches = new TestBatches();
    private final UnsafeBuffer dst = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
    private final CountersManager counters = new CountersManager(
        new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)), new UnsafeBuffer(ByteBuffer.allocateDirect(8192)));
    private final AtomicCounter held = counters.newCounter("held");
    private final AtomicCounter evictions = counters.newCounter("evictions");

    private MemoryBudget budget(final long bytes)
    {
        return new MemoryBudget(bytes, held, evictions);
    }

    @Test
    void shouldReadBatchHoldingOffset()
    {
        final MemoryPartitionLog log = new MemoryPartitionLog("m/0", SEGMENT, 1 << 20, 0, budget(1 << 20));
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
    void shouldDropSegmentsPastRetentionByTimeOrBytesButNeverTheNewest()
    {
        final UnsafeBuffer batch = new UnsafeBuffer(new byte[1024]);
        final RecordBatchWriter writer = new RecordBatchWriter();
        final int length = writer.reset(batch, 0, batch.capacity()).append(0, null, new byte[100]) ? writer.seal() : -1;
        final int perSegment = SEGMENT / length;
        for (final boolean byBytes : new boolean[]{ false, true })
        {
            final MemoryPartitionLog log = new MemoryPartitionLog("m/0", SEGMENT, 8 * SEGMENT, 0, budget(1 << 22));
            for (int segment = 0; segment < 4; segment++)
            {
                for (int i = 0; i < perSegment; i++)
                {
                    writer.reset(batch, 0, batch.capacity()).append((segment + 1) * 1000L, null, new byte[100]);
                    log.append(batch, 0, writer.seal());
                }
            }
            assertEquals(4, log.segmentCount());
            final MutableLong bytes = new MutableLong();
            if (byBytes)
            {
                assertEquals(2, log.retain(0, Long.MAX_VALUE, 2L * SEGMENT, bytes), "keeps two segments' worth");
                assertEquals(2L * perSegment, log.logStartOffset());
            }
            else
            {
                assertEquals(0, log.retain(4500, 10_000, Long.MAX_VALUE, bytes));
                assertEquals(2, log.retain(4500, 2000, Long.MAX_VALUE, bytes), "the two older than 2.5 s");
                assertEquals(2L * perSegment, log.logStartOffset());
                assertEquals(2L * perSegment * length, bytes.get());
                assertEquals(0, log.read(0, 1, dst, 0, dst.capacity()));
            }
            assertEquals(1, log.retain(1_000_000, 1, 1, bytes), "never the segment being written");
            assertEquals(3L * perSegment, log.logStartOffset());
            assertEquals(1, log.segmentCount());
            log.close();
        }
    }

    @Test
    void shouldEvictOldestSegmentWithinItsBudgetAndMoveLogStart()
    {
        final MemoryPartitionLog log = new MemoryPartitionLog("m/0", SEGMENT, 2 * SEGMENT, 0, budget(1 << 20));
        final int length = batches.batch("x", 10);
        final int appended = SEGMENT / length * 5;
        for (int i = 0; i < appended; i++)
        {
            log.append(batches.buffer(), 0, batches.batch("x", 10));
        }
        assertTrue(log.bytesHeld() <= 2 * SEGMENT);
        assertTrue(log.logStartOffset() > 0);
        assertEquals(appended * 10L, log.highWatermark());
        assertEquals(0, log.read(0, 1, dst, 0, dst.capacity()));
        final int read = log.read(log.logStartOffset(), Integer.MAX_VALUE, dst, 0, dst.capacity());
        assertEquals(log.logStartOffset(), RecordBatch.baseOffset(dst, 0));
        assertEquals(log.bytesHeld(), read);
        assertTrue(evictions.get() >= 3);
        assertEquals(2L * SEGMENT, held.get(), "evicted segments are reused, not reallocated");
    }

    @Test
    void shouldReclaimFromTheLargestHolderWhenTheSharedBudgetIsSpent()
    {
        final MemoryBudget shared = budget(4L * SEGMENT);
        final MemoryPartitionLog big = new MemoryPartitionLog("big/0", SEGMENT, 16L * SEGMENT, 0, shared);
        final MemoryPartitionLog small = new MemoryPartitionLog("small/0", SEGMENT, 16L * SEGMENT, 0, shared);
        final int length = batches.batch("x", 1);
        for (int i = 0; i < 4 * (SEGMENT / length); i++)
        {
            big.append(batches.buffer(), 0, batches.batch("x", 1));
        }
        assertEquals(4, big.segmentCount());
        small.append(batches.buffer(), 0, batches.batch("y", 1));
        assertEquals(3, big.segmentCount());
        assertEquals(1, small.segmentCount());
        assertTrue(big.logStartOffset() > 0);
        assertEquals(4L * SEGMENT, shared.usedBytes());
        big.close();
        assertEquals(SEGMENT, shared.usedBytes());
    }

    @Test
    void shouldServeHeadFromTierAndFallThroughToJournal()
    {
        final CountersManager local = counters;
        final AtomicCounter hits = local.newCounter("hits");
        final AtomicCounter misses = local.newCounter("misses");
        final ChronicleJournalLog journal = ChronicleJournalLog.open(dir, "t/0", 1 << 20, null);
        final MemoryBudget shared = budget(2L * SEGMENT);
        try (TieredPartitionLog log = new TieredPartitionLog(journal,
            new MemoryPartitionLog("t/0 (tier)", SEGMENT, 2L * SEGMENT, 0, shared), hits, misses))
        {
            final int length = batches.batch("x", 2);
            final int count = 3 * (SEGMENT / length);
            for (int i = 0; i < count; i++)
            {
                assertEquals(2L * i, log.append(batches.buffer(), 0, batches.batch("x", 2)));
            }
            final long head = log.highWatermark() - 2;
            assertTrue(log.read(head, 1, dst, 0, dst.capacity()) > 0);
            assertEquals(head, RecordBatch.baseOffset(dst, 0));
            assertEquals(1, hits.get());
            assertTrue(log.read(0, 1, dst, 0, dst.capacity()) > 0);
            assertEquals(0, RecordBatch.baseOffset(dst, 0));
            assertEquals(1, misses.get());
            assertEquals(0, log.logStartOffset());
        }
    }
}
