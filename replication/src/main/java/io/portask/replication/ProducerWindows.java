package io.portask.replication;

import org.agrona.collections.Long2ObjectHashMap;

import java.util.Arrays;
import java.util.function.BiConsumer;

/**
 * Idempotent producers of one partition: each producer's next sequence and the first sequences and base offsets of
 * its last {@link #WINDOW} appends, so an append sent again after a failover (committed, its answer lost) is
 * answered with its first offset instead of being stored twice. A sequence counts records, as a record batch's base
 * sequence does: an append of n records moves the next sequence on by n. Part of the replicated state: changed only
 * in log order, so the same on every node, and in the snapshot.
 * <p>
 * Threading: the service container's thread only.
 */
final class ProducerWindows
{
    /** Appends a producer may have in flight per partition and still have a duplicate answered with its offset. */
    static final int WINDOW = 16;
    /** The longs of one producer's state: next sequence, appends so far, WINDOW (sequence, base offset) pairs. */
    static final int LONGS = 2 + 2 * WINDOW;

    private final Long2ObjectHashMap<long[]> producers = new Long2ObjectHashMap<>();

    /**
     * @return the base offset to answer without appending: the first offset of a duplicate,
     * {@link ReplicatedAppend#TOO_OLD} or {@link ReplicatedAppend#OUT_OF_ORDER}; or -1 when the append is the next
     * one and must be applied (then call {@link #applied}).
     */
    long check(final long producerId, final long sequence)
    {
        final long[] window = producers.get(producerId);
        final long next = null == window ? 0 : window[0];
        if (sequence > next)
        {
            return ReplicatedAppend.OUT_OF_ORDER;
        }
        if (sequence == next)
        {
            return -1;
        }
        for (int slot = 2; slot < LONGS; slot += 2)
        {
            if (window[slot] == sequence)
            {
                return window[slot + 1];
            }
        }
        return ReplicatedAppend.TOO_OLD;
    }

    void applied(final long producerId, final long sequence, final int records, final long baseOffset)
    {
        long[] window = producers.get(producerId);
        if (null == window)
        {
            window = new long[LONGS];
            Arrays.fill(window, -1);
            window[1] = 0;
            producers.put(producerId, window);
        }
        window[0] = sequence + records;
        final int slot = 2 + 2 * (int)(window[1]++ % WINDOW);
        window[slot] = sequence;
        window[slot + 1] = baseOffset;
    }

    void forEach(final BiConsumer<Long, long[]> visitor)
    {
        producers.forEach(visitor);
    }

    void restore(final long producerId, final long[] window)
    {
        producers.put(producerId, window);
    }
}
