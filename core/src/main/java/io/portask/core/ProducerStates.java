package io.portask.core;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * One partition's idempotent producers: per producer, its epoch and its last {@value #WINDOW} batches (sequence
 * range and base offset; Kafka keeps five), so that a batch sent again answers with the offset it was stored at
 * instead of being stored twice, a gap or a reordering is refused, and an older epoch is fenced. Rebuilt at open
 * from the batches the journal holds; a producer idle past the expiration is forgotten.
 * <p>
 * Threading: the core agent only. Allocates once per new producer, nothing per batch.
 */
final class ProducerStates
{
    /** Batches remembered per producer. */
    static final int WINDOW = 5;
    /** {@link #check}: store the batch. */
    static final long APPEND = -1;
    /** {@link #check}: the batch does not follow the producer's last one. */
    static final long OUT_OF_ORDER = -2;
    /** {@link #check}: the producer's epoch is older than the partition has seen. */
    static final long FENCED = -3;

    private final Long2ObjectHashMap<Producer> producers = new Long2ObjectHashMap<>();

    /**
     * @return {@link #APPEND}, {@link #OUT_OF_ORDER}, {@link #FENCED}, or (a batch seen already) its base offset.
     */
    long check(final long producerId, final short epoch, final int baseSequence, final int recordCount)
    {
        final Producer producer = producers.get(producerId);
        if (null == producer || epoch > producer.epoch)
        {
            return APPEND;
        }
        if (epoch < producer.epoch)
        {
            return FENCED;
        }
        final int lastSequence = sequenceAfter(baseSequence, recordCount - 1);
        for (int i = 0; i < producer.size; i++)
        {
            if (producer.firstSequences[i] == baseSequence && producer.lastSequences[i] == lastSequence)
            {
                return producer.baseOffsets[i];
            }
        }
        return baseSequence == sequenceAfter(producer.lastSequences[producer.newest], 1) ? APPEND : OUT_OF_ORDER;
    }

    void onAppended(
        final long producerId, final short epoch, final int baseSequence, final int recordCount, final long baseOffset,
        final long timestampMs)
    {
        Producer producer = producers.get(producerId);
        if (null == producer)
        {
            producer = new Producer();
            producers.put(producerId, producer);
        }
        if (epoch != producer.epoch)
        {
            producer.epoch = epoch;
            producer.size = 0;
        }
        producer.newest = (producer.newest + 1) % WINDOW;
        producer.firstSequences[producer.newest] = baseSequence;
        producer.lastSequences[producer.newest] = sequenceAfter(baseSequence, recordCount - 1);
        producer.baseOffsets[producer.newest] = baseOffset;
        producer.size = Math.min(WINDOW, producer.size + 1);
        producer.lastTimestampMs = Math.max(producer.lastTimestampMs, timestampMs);
    }

    /**
     * Forget producers whose newest batch is older than the expiration.
     *
     * @return producers forgotten.
     */
    int expire(final long nowMs, final long expirationMs)
    {
        final int before = producers.size();
        producers.values().removeIf(producer -> producer.lastTimestampMs < nowMs - expirationMs);
        return before - producers.size();
    }

    int size()
    {
        return producers.size();
    }

    /**
     * Sequences wrap from Integer.MAX_VALUE to 0, as Kafka's.
     */
    private static int sequenceAfter(final int sequence, final int steps)
    {
        return (int)(((long)sequence + steps) % ((long)Integer.MAX_VALUE + 1));
    }

    private static final class Producer
    {
        final int[] firstSequences = new int[WINDOW];
        final int[] lastSequences = new int[WINDOW];
        final long[] baseOffsets = new long[WINDOW];
        short epoch = Short.MIN_VALUE;
        int size;
        int newest = -1;
        long lastTimestampMs = Long.MIN_VALUE;
    }
}
