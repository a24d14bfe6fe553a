package io.portask.storage;

import io.portask.protocol.Frame;
import io.portask.protocol.RecordBatch;
import io.portask.storage.spi.PartitionLog;
import io.portask.storage.spi.PartitionLogException;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.MutableLong;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * Batches in off-heap segments, nothing on disk: the log of a memory-only partition, and the memory tier in
 * front of a journal (see {@link TieredPartitionLog}). Bounded twice: by its own budget, past which it drops its
 * oldest segment and reuses it, and by the shared {@link MemoryBudget}, which may take its oldest segment for
 * another partition. Either way the log start moves forward, so a read before it finds nothing and the core
 * answers OFFSET_OUT_OF_RANGE.
 * <p>
 * Threading: single writer and reader (the core agent).
 */
public final class MemoryPartitionLog implements PartitionLog
{
    private final String name;
    private final int segmentBytes;
    private final int maxSegments;
    private final MemoryBudget budget;
    private final ArrayList<Segment> segments = new ArrayList<>();
    private final ArrayDeque<Segment> spare = new ArrayDeque<>();
    private long logStartOffset;
    private long highWatermark;

    /**
     * @param name         topic/partition, for messages.
     * @param segmentBytes bytes per segment; at least the largest batch.
     * @param budgetBytes  most bytes this log holds; at least two segments.
     * @param startOffset  offset of the first batch it will hold.
     * @param budget       shared by all in-memory partition data.
     */
    public MemoryPartitionLog(
        final String name, final int segmentBytes, final long budgetBytes, final long startOffset,
        final MemoryBudget budget)
    {
        if (budgetBytes < 2L * segmentBytes)
        {
            throw new IllegalArgumentException("memory budget " + budgetBytes + " must hold two segments of " +
                segmentBytes + " bytes");
        }
        this.name = name;
        this.segmentBytes = segmentBytes;
        this.maxSegments = (int)Math.min(Integer.MAX_VALUE, budgetBytes / segmentBytes);
        this.budget = budget;
        this.logStartOffset = startOffset;
        this.highWatermark = startOffset;
        budget.register(this);
    }

    /**
     * {@inheritDoc}
     */
    public long append(final MutableDirectBuffer batch, final int offset, final int length)
    {
        if (length > segmentBytes)
        {
            throw new PartitionLogException("batch of " + length + " bytes exceeds memory segment of " + name);
        }
        Segment segment = segments.isEmpty() ? null : segments.get(segments.size() - 1);
        if (null == segment || segment.used + length > segmentBytes)
        {
            segment = newSegment();
        }
        final long baseOffset = highWatermark;
        RecordBatch.baseOffset(batch, offset, baseOffset);
        segment.buffer.putBytes(segment.used, batch, offset, length);
        segment.baseOffsets.addLong(baseOffset);
        segment.positions.addInt(segment.used);
        segment.used += length;
        segment.newestTimestampMs = Math.max(segment.newestTimestampMs,
            batch.getLong(offset + RecordBatch.FIRST_TIMESTAMP_OFFSET, Frame.BYTE_ORDER));
        highWatermark = baseOffset + RecordBatch.recordCount(batch, offset);
        return baseOffset;
    }

    private Segment newSegment()
    {
        if (segments.size() == maxSegments)
        {
            evictOldest(false);
        }
        if (spare.isEmpty())
        {
            if (!budget.reserve(segmentBytes))
            {
                throw new PartitionLogException("memory budget exhausted: no segment for " + name);
            }
            spare.addLast(new Segment(segmentBytes));
        }
        final Segment segment = spare.pollFirst();
        segments.add(segment);
        return segment;
    }

    /**
     * Drop the oldest segment; the log start moves to the next one.
     *
     * @param releaseMemory true to give its bytes back to the budget, false to keep it as a spare for reuse.
     */
    void evictOldest(final boolean releaseMemory)
    {
        final Segment evicted = segments.remove(0);
        evicted.clear();
        if (releaseMemory)
        {
            budget.release(segmentBytes);
        }
        else
        {
            spare.addLast(evicted);
        }
        logStartOffset = segments.isEmpty() ? highWatermark : segments.get(0).baseOffsets.getLong(0);
        budget.onEviction();
    }

    /**
     * {@inheritDoc}
     */
    public int retain(
        final long nowMs, final long retentionMs, final long retentionBytes, final MutableLong bytesDeleted)
    {
        int dropped = 0;
        while (segments.size() > 1)
        {
            final Segment oldest = segments.get(0);
            final boolean expired = Long.MAX_VALUE != retentionMs && oldest.newestTimestampMs < nowMs - retentionMs;
            final boolean oversize = Long.MAX_VALUE != retentionBytes &&
                (long)(segments.size() - 1) * segmentBytes >= retentionBytes;
            if (!expired && !oversize)
            {
                break;
            }
            bytesDeleted.set(bytesDeleted.get() + oldest.used);
            evictOldest(false);
            dropped++;
        }
        return dropped;
    }

    /**
     * Drop every segment that holds only offsets below a log start: the tier's way to follow its journal's
     * retention.
     *
     * @param logStart the journal's log start.
     */
    void dropBelow(final long logStart)
    {
        while (!segments.isEmpty() && nextOffsetAfter(segments.get(0)) <= logStart)
        {
            evictOldest(false);
        }
    }

    private long nextOffsetAfter(final Segment segment)
    {
        final int last = segment.baseOffsets.size() - 1;
        return last < 0 ? logStartOffset :
            segment.baseOffsets.getLong(last) + RecordBatch.recordCount(segment.buffer, segment.positions.getInt(last));
    }

    /**
     * Drop everything and start again empty at an offset: the tier's way to stay in step with its journal when
     * memory could not be had for a batch.
     *
     * @param startOffset offset the next batch will have.
     */
    void evictAll(final long startOffset)
    {
        while (!segments.isEmpty())
        {
            evictOldest(true);
        }
        budget.release((long)spare.size() * segmentBytes);
        spare.clear();
        logStartOffset = startOffset;
        highWatermark = startOffset;
    }

    int segmentCount()
    {
        return segments.size();
    }

    /**
     * {@inheritDoc}
     */
    public int read(
        final long fromOffset,
        final int maxBytes,
        final MutableDirectBuffer dst,
        final int dstOffset,
        final int dstCapacity)
    {
        if (fromOffset >= highWatermark || fromOffset < logStartOffset)
        {
            return 0;
        }
        int segmentIndex = findSegment(fromOffset);
        int batchIndex = segments.get(segmentIndex).find(fromOffset);
        int written = 0;
        while (segmentIndex < segments.size())
        {
            final Segment segment = segments.get(segmentIndex);
            if (batchIndex >= segment.baseOffsets.size())
            {
                segmentIndex++;
                batchIndex = 0;
                continue;
            }
            final int position = segment.positions.getInt(batchIndex);
            final int length = RecordBatch.batchLength(segment.buffer, position);
            if (written > 0 && written + length > maxBytes || written + length > dstCapacity)
            {
                break;
            }
            dst.putBytes(dstOffset + written, segment.buffer, position, length);
            written += length;
            batchIndex++;
        }
        return written;
    }

    private int findSegment(final long offset)
    {
        int low = 0;
        int high = segments.size() - 1;
        while (low < high)
        {
            final int mid = (low + high + 1) >>> 1;
            if (segments.get(mid).baseOffsets.getLong(0) <= offset)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }
        return low;
    }

    /**
     * A memory-only partition evicts its oldest segments to stay within its budget.
     */
    public String evictedMessage(final long offset)
    {
        return "offset " + offset + " of memory-only " + name + " was evicted from memory; the oldest held is " +
            logStartOffset();
    }

    /**
     * {@inheritDoc}
     */
    public long logStartOffset()
    {
        return logStartOffset;
    }

    /**
     * {@inheritDoc}
     */
    public long highWatermark()
    {
        return highWatermark;
    }

    /**
     * Nothing to flush: a memory-only log does not survive the process by design.
     */
    public void sync()
    {
    }

    /**
     * Give every segment back to the budget.
     */
    public void close()
    {
        budget.unregister(this, (long)(segments.size() + spare.size()) * segmentBytes);
        segments.clear();
        spare.clear();
    }

    /**
     * @return bytes of batches held.
     */
    public long bytesHeld()
    {
        long bytes = 0;
        for (final Segment segment : segments)
        {
            bytes += segment.used;
        }
        return bytes;
    }

    private static final class Segment
    {
        final UnsafeBuffer buffer;
        final LongArrayList baseOffsets = new LongArrayList();
        final IntArrayList positions = new IntArrayList();
        int used;
        long newestTimestampMs = Long.MIN_VALUE;

        Segment(final int capacity)
        {
            buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(capacity, 64));
        }

        int find(final long offset)
        {
            int low = 0;
            int high = baseOffsets.size() - 1;
            while (low < high)
            {
                final int mid = (low + high + 1) >>> 1;
                if (baseOffsets.getLong(mid) <= offset)
                {
                    low = mid;
                }
                else
                {
                    high = mid - 1;
                }
            }
            return low;
        }

        void clear()
        {
            baseOffsets.clear();
            positions.clear();
            used = 0;
            newestTimestampMs = Long.MIN_VALUE;
        }
    }
}
