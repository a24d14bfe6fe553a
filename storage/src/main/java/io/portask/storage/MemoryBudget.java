package io.portask.storage;

import org.agrona.concurrent.status.AtomicCounter;

import java.util.ArrayList;

/**
 * The memory all in-memory partition data may use together: memory-tier segments of journal partitions and the
 * segments of memory-only partitions. A log that needs a segment while the budget is spent takes it back from
 * the log holding the most segments, by dropping that log's oldest one.
 * <p>
 * Threading: the core agent only, like the logs that share it.
 */
public final class MemoryBudget
{
    private final long limitBytes;
    private final AtomicCounter bytesHeld;
    private final AtomicCounter evictions;
    private final ArrayList<MemoryPartitionLog> members = new ArrayList<>();
    private long usedBytes;

    /**
     * @param limitBytes most bytes of segments held at once.
     * @param bytesHeld  counter of bytes held now.
     * @param evictions  counter of segments dropped to make room.
     */
    public MemoryBudget(final long limitBytes, final AtomicCounter bytesHeld, final AtomicCounter evictions)
    {
        this.limitBytes = limitBytes;
        this.bytesHeld = bytesHeld;
        this.evictions = evictions;
    }

    void register(final MemoryPartitionLog log)
    {
        members.add(log);
    }

    void unregister(final MemoryPartitionLog log, final long heldBytes)
    {
        members.remove(log);
        release(heldBytes);
    }

    /**
     * Reserve a segment's bytes, reclaiming from the largest holder when the budget is spent.
     *
     * @param bytes segment size.
     * @return true when reserved; false when nothing could be reclaimed.
     */
    boolean reserve(final int bytes)
    {
        while (usedBytes + bytes > limitBytes)
        {
            MemoryPartitionLog largest = null;
            for (final MemoryPartitionLog member : members)
            {
                if (member.segmentCount() > 0 && (null == largest || member.segmentCount() > largest.segmentCount()))
                {
                    largest = member;
                }
            }
            if (null == largest)
            {
                return false;
            }
            largest.evictOldest(true);
        }
        usedBytes += bytes;
        bytesHeld.setRelease(usedBytes);
        return true;
    }

    void release(final long bytes)
    {
        usedBytes -= bytes;
        bytesHeld.setRelease(usedBytes);
    }

    void onEviction()
    {
        evictions.incrementRelease();
    }

    /**
     * @return bytes reserved now.
     */
    public long usedBytes()
    {
        return usedBytes;
    }
}
