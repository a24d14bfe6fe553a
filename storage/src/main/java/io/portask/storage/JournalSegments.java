package io.portask.storage;

import java.util.ArrayDeque;

/**
 * The roll-cycle files of one journal as retention sees them, oldest first: per cycle, the first offset, the newest
 * batch timestamp and the bytes written. Filled by the recovery scan and by appends; a new entry per roll cycle
 * (a day by default), nothing per batch.
 * <p>
 * Threading: the journal's owner (the core agent) only.
 */
final class JournalSegments
{
    /** One cycle file. */
    static final class Segment
    {
        final int cycle;
        final long firstOffset;
        long newestTimestampMs = Long.MIN_VALUE;
        long bytes;

        Segment(final int cycle, final long firstOffset)
        {
            this.cycle = cycle;
            this.firstOffset = firstOffset;
        }
    }

    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private long totalBytes;

    /**
     * @param cycle       the batch's roll cycle.
     * @param baseOffset  its first offset.
     * @param timestampMs its first record's timestamp.
     * @param bytes       its stored length.
     */
    void onBatch(final int cycle, final long baseOffset, final long timestampMs, final int bytes)
    {
        Segment newest = segments.peekLast();
        if (null == newest || newest.cycle != cycle)
        {
            newest = new Segment(cycle, baseOffset);
            segments.addLast(newest);
        }
        newest.newestTimestampMs = Math.max(newest.newestTimestampMs, timestampMs);
        newest.bytes += bytes;
        totalBytes += bytes;
    }

    int size()
    {
        return segments.size();
    }

    Segment oldest()
    {
        return segments.peekFirst();
    }

    long totalBytes()
    {
        return totalBytes;
    }

    /**
     * @return the oldest segment, removed.
     */
    Segment removeOldest()
    {
        final Segment oldest = segments.removeFirst();
        totalBytes -= oldest.bytes;
        return oldest;
    }
}
