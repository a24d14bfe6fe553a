package io.portask.core;

import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.ProduceRequestDecoder;
import io.portask.storage.spi.PartitionLogException;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.NanoClock;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * Produce acks held back until their records are durable. SYNC acks: collected during a duty cycle, then one
 * flush per partition and the answers sent together (group commit). Dragonfly-only acks: answered once the
 * partition's high watermark (what Dragonfly confirmed) passes them. Parallel arrays, so holding an
 * ack allocates nothing once they have grown.
 * <p>
 * Threading: the core agent's thread only.
 */
final class PendingAcks
{
    private final ResponseProxy proxy;
    private final CoreCounters counters;
    private final ErrorHandler errorHandler;
    private final String deletedMessage;
    private final ArrayList<Partition> partitions = new ArrayList<>();
    private long[] connectionIds = new long[64];
    private long[] correlationIds = new long[64];
    private long[] baseOffsets = new long[64];
    private int[] counts = new int[64];
    private long[] requestNs = new long[64];
    private final NanoClock nanoClock;
    private final NanoClock cycleClock;
    private int size;

    /**
     * @param proxy          answers through it.
     * @param counters       back-pressure is counted in it.
     * @param errorHandler   records a failed flush.
     * @param deletedMessage the error text when a held ack's topic was deleted.
     * @param nanoClock      times an ack when it is answered.
     * @param cycleClock     the time of the duty cycle that read the request.
     */
    PendingAcks(
        final ResponseProxy proxy,
        final CoreCounters counters,
        final ErrorHandler errorHandler,
        final String deletedMessage,
        final NanoClock nanoClock,
        final NanoClock cycleClock)
    {
        this.nanoClock = nanoClock;
        this.cycleClock = cycleClock;
        this.proxy = proxy;
        this.counters = counters;
        this.errorHandler = errorHandler;
        this.deletedMessage = deletedMessage;
    }

    void add(
        final long connectionId,
        final long correlationId,
        final Partition partition,
        final long baseOffset,
        final int count)
    {
        if (size == connectionIds.length)
        {
            final int capacity = size * 2;
            connectionIds = Arrays.copyOf(connectionIds, capacity);
            correlationIds = Arrays.copyOf(correlationIds, capacity);
            baseOffsets = Arrays.copyOf(baseOffsets, capacity);
            counts = Arrays.copyOf(counts, capacity);
            requestNs = Arrays.copyOf(requestNs, capacity);
        }
        requestNs[size] = cycleClock.nanoTime();
        connectionIds[size] = connectionId;
        correlationIds[size] = correlationId;
        baseOffsets[size] = baseOffset;
        counts[size] = count;
        partitions.add(partition);
        size++;
    }

    void dropTopic(final Topic topic)
    {
        for (int i = 0; i < size; i++)
        {
            if (null != partitions.get(i) && partitions.get(i).topic == topic)
            {
                partitions.set(i, null);
            }
        }
    }

    void dropConnection(final long connectionId)
    {
        for (int i = 0; i < size; i++)
        {
            if (connectionIds[i] == connectionId)
            {
                connectionIds[i] = Long.MIN_VALUE;
            }
        }
    }

    /**
     * Sync every partition with a held ack, then answer them all.
     */
    int flush()
    {
        if (0 == size)
        {
            return 0;
        }
        if (!proxy.hasCapacity())
        {
            counters.outboundBackPressure().incrementRelease();
            return 0;
        }
        PartitionLogException failure = null;
        for (int i = 0; i < size; i++)
        {
            final Partition partition = partitions.get(i);
            if (null != partition && partitions.indexOf(partition) == i)
            {
                try
                {
                    partition.log.sync();
                }
                catch (final PartitionLogException ex)
                {
                    failure = ex;
                }
            }
        }
        final long nowNs = nanoClock.nanoTime();
        for (int i = 0; i < size; i++)
        {
            answer(i, failure, nowNs);
        }
        final int flushed = size;
        partitions.clear();
        size = 0;
        return flushed;
    }

    /**
     * Answer the acks whose records lie below their partition's high watermark; keep the rest, in order.
     */
    int answerConfirmed()
    {
        if (0 == size)
        {
            return 0;
        }
        if (!proxy.hasCapacity())
        {
            counters.outboundBackPressure().incrementRelease();
            return 0;
        }
        int kept = 0;
        final long nowNs = nanoClock.nanoTime();
        for (int i = 0; i < size; i++)
        {
            final Partition partition = partitions.get(i);
            if (null != partition && Long.MIN_VALUE != connectionIds[i] &&
                partition.log.highWatermark() < baseOffsets[i] + counts[i])
            {
                move(i, kept++);
            }
            else
            {
                answer(i, null, nowNs);
            }
        }
        final int answered = size - kept;
        while (size > kept)
        {
            partitions.remove(--size);
        }
        return answered;
    }

    private void answer(final int i, final PartitionLogException failure, final long nowNs)
    {
        if (Long.MIN_VALUE == connectionIds[i])
        {
            return;
        }
        if (null == partitions.get(i))
        {
            proxy.sendError(connectionIds[i], correlationIds[i], ProduceRequestDecoder.TEMPLATE_ID,
                ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, deletedMessage);
        }
        else if (null != failure)
        {
            errorHandler.onError(failure);
            proxy.sendError(connectionIds[i], correlationIds[i], ProduceRequestDecoder.TEMPLATE_ID,
                ErrorCode.STORAGE_ERROR, failure.getMessage());
        }
        else
        {
            proxy.sendProduce(
                connectionIds[i], correlationIds[i], partitions.get(i).index, baseOffsets[i], counts[i]);
            counters.produceAckLatency().record(nowNs - requestNs[i]);
        }
    }

    private void move(final int from, final int to)
    {
        connectionIds[to] = connectionIds[from];
        correlationIds[to] = correlationIds[from];
        baseOffsets[to] = baseOffsets[from];
        counts[to] = counts[from];
        requestNs[to] = requestNs[from];
        partitions.set(to, partitions.get(from));
    }
}
