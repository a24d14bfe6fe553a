package io.portask.storage;

import io.portask.protocol.RecordBatch;
import io.portask.storage.spi.ProducerBatchVisitor;
import org.agrona.DirectBuffer;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last few batches of each idempotent producer found by a journal's recovery scan, kept until the core has
 * rebuilt its producer states from them ({@link #replay}), then dropped.
 * <p>
 * Threading: the journal's owner.
 */
final class RecoveredProducers
{
    /** Batches kept per producer: as many as the core remembers. */
    static final int WINDOW = 5;

    private Map<Long, ArrayDeque<long[]>> batches = new LinkedHashMap<>();

    /**
     * @param batch  a sound batch of the chain, base offset assigned.
     * @param offset where it starts.
     */
    void onBatch(final DirectBuffer batch, final int offset)
    {
        if (!RecordBatch.hasProducer(batch, offset))
        {
            return;
        }
        final RecordBatch flyweight = new RecordBatch().wrap(batch, offset, RecordBatch.batchLength(batch, offset));
        final ArrayDeque<long[]> last = batches.computeIfAbsent(flyweight.producerId(), id -> new ArrayDeque<>());
        if (last.size() == WINDOW)
        {
            last.removeFirst();
        }
        last.addLast(new long[]{ flyweight.producerEpoch(), flyweight.baseSequence(), flyweight.recordCount(),
            flyweight.baseOffset(), flyweight.firstTimestamp() });
    }

    /**
     * Hand every kept batch to the visitor, oldest first per producer, and forget them.
     */
    void replay(final ProducerBatchVisitor visitor)
    {
        if (null == batches)
        {
            return;
        }
        batches.forEach((producerId, last) -> last.forEach(b ->
            visitor.onBatch(producerId, (short)b[0], (int)b[1], (int)b[2], b[3], b[4])));
        batches = null;
    }
}
