package io.portask.replication;

import org.agrona.collections.Long2ObjectHashMap;

import java.util.function.BiConsumer;

/**
 * Idempotent producers of one partition: each producer's last sequence and the base offsets of its last
 * {@link #WINDOW} appends, so an append sent again after a failover (committed, its answer lost) is answered with
 * its first offset instead of being stored twice. Part of the replicated state: changed only in log order, so
 * the same on every node, and in the snapshot.
 * <p>
 * Threading: the service container's thread only.
 */
final class ProducerWindows
{
    /** Appends a producer may have in flight per partition and still have a duplicate answered with its offset. */
    static final int WINDOW = 16;

    /** Per producer: [last sequence, then WINDOW pairs of (sequence, base offset) by sequence % WINDOW]. */
    private final Long2ObjectHashMap<long[]> producers = new Long2ObjectHashMap<>();

    /**
     * @return the base offset to answer without appending: the first offset of a duplicate,
     * {@link ReplicatedAppend#TOO_OLD} or {@link ReplicatedAppend#OUT_OF_ORDER}; or -1 when the append is the next
     * one and must be applied (then call {@link #applied}).
     */
    long check(final long producerId, final long sequence)
    {
        final long[] window = producers.get(producerId);
        final long last = null == window ? -1 : window[0];
        if (sequence > last + 1)
        {
            return ReplicatedAppend.OUT_OF_ORDER;
        }
        if (sequence <= last)
        {
            final int slot = 1 + 2 * (int)(sequence % WINDOW);
            return window[slot] == sequence ? window[slot + 1] : ReplicatedAppend.TOO_OLD;
        }
        return -1;
    }

    void applied(final long producerId, final long sequence, final long baseOffset)
    {
        long[] window = producers.get(producerId);
        if (null == window)
        {
            window = new long[1 + 2 * WINDOW];
            java.util.Arrays.fill(window, -1);
            producers.put(producerId, window);
        }
        window[0] = sequence;
        final int slot = 1 + 2 * (int)(sequence % WINDOW);
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
