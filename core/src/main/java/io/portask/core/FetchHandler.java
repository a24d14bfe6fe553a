package io.portask.core;

import io.portask.core.acl.Acl;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.FetchRequestDecoder;
import io.portask.protocol.sbe.GetOffsetsRequestDecoder;
import io.portask.storage.spi.PartitionLogException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Fetch and GetOffsets: a fetch below the high watermark is answered at once; one at the head with a wait is
 * parked (pooled, no allocation once warm) until records arrive or its deadline passes.
 * <p>
 * Threading: the core agent's thread only.
 */
final class FetchHandler
{
    private final TopicLookup lookup;
    private final ResponseProxy proxy;
    private final CoreCounters counters;
    private int maxFetchWaitMs;
    private final CachedNanoClock clock;
    private final ArrayList<PendingFetch> parked = new ArrayList<>();
    private final ArrayDeque<PendingFetch> pool = new ArrayDeque<>();

    FetchHandler(
        final TopicLookup lookup,
        final ResponseProxy proxy,
        final CoreCounters counters,
        final int maxFetchWaitMs,
        final CachedNanoClock clock)
    {
        this.clock = clock;
        this.lookup = lookup;
        this.proxy = proxy;
        this.counters = counters;
        this.maxFetchWaitMs = maxFetchWaitMs;
    }

    void onFetch(
        final long connectionId,
        final long correlationId,
        final DirectBuffer topicName,
        final int partitionIndex,
        final long fetchOffset,
        final int maxBytes,
        final int maxWaitMs)
    {
        final int templateId = FetchRequestDecoder.TEMPLATE_ID;
        if (maxBytes <= 0 || maxWaitMs < 0)
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.INVALID_REQUEST,
                "maxBytes must be > 0 and maxWaitMs >= 0, got maxBytes=" + maxBytes + " maxWaitMs=" + maxWaitMs);
            return;
        }
        final Partition partition = lookup.findPartition(
            connectionId, correlationId, templateId, topicName, partitionIndex, Acl.Operation.CONSUME);
        if (null == partition || !lookup.checkOffset(connectionId, correlationId, templateId, partition, fetchOffset))
        {
            return;
        }
        if (fetchOffset == partition.log.highWatermark() && maxWaitMs > 0)
        {
            final PendingFetch pending = pool.isEmpty() ? new PendingFetch() : pool.pollFirst();
            final long waitNs = TimeUnit.MILLISECONDS.toNanos(Math.min(maxWaitMs, maxFetchWaitMs));
            parked.add(pending.set(
                connectionId, correlationId, partition, fetchOffset, maxBytes, clock.nanoTime() + waitNs));
            return;
        }
        sendFetch(connectionId, correlationId, partition, fetchOffset, maxBytes);
    }

    void onGetOffsets(
        final long connectionId, final long correlationId, final DirectBuffer topicName, final int partitionIndex)
    {
        final Partition partition = lookup.findPartition(
            connectionId, correlationId, GetOffsetsRequestDecoder.TEMPLATE_ID, topicName, partitionIndex,
            Acl.Operation.DESCRIBE);
        if (null != partition)
        {
            proxy.sendOffsets(connectionId, correlationId, partitionIndex, partition.log.logStartOffset(),
                partition.log.highWatermark());
        }
    }

    /**
     * Duty cycle: answer the parked fetches whose partition moved or whose deadline passed.
     *
     * @return fetches answered.
     */
    int doWork()
    {
        final long nowNs = clock.nanoTime();
        int workCount = 0;
        for (int i = parked.size() - 1; i >= 0; i--)
        {
            final PendingFetch fetch = parked.get(i);
            if (fetch.partition.log.highWatermark() > fetch.fetchOffset || nowNs - fetch.deadlineNs >= 0)
            {
                if (!proxy.hasCapacity(fetch.connectionId))
                {
                    counters.outboundBackPressure().incrementRelease();
                    break;
                }
                sendFetch(fetch.connectionId, fetch.correlationId, fetch.partition, fetch.fetchOffset, fetch.maxBytes);
                release(i);
                workCount++;
            }
        }
        return workCount;
    }

    void onConnectionClosed(final long connectionId)
    {
        for (int i = parked.size() - 1; i >= 0; i--)
        {
            if (parked.get(i).connectionId == connectionId)
            {
                release(i);
            }
        }
    }

    /**
     * Answer the topic's parked fetches with UNKNOWN_TOPIC_OR_PARTITION.
     */
    void onTopicDeleted(final Topic topic, final DirectBuffer topicName)
    {
        for (int i = parked.size() - 1; i >= 0; i--)
        {
            final PendingFetch fetch = parked.get(i);
            if (fetch.partition.topic == topic)
            {
                lookup.sendUnknownTopic(fetch.connectionId, fetch.correlationId, FetchRequestDecoder.TEMPLATE_ID,
                    topicName, fetch.partition.index);
                release(i);
            }
        }
    }

    private void sendFetch(
        final long connectionId,
        final long correlationId,
        final Partition partition,
        final long fetchOffset,
        final int maxBytes)
    {
        final long highWatermark = partition.log.highWatermark();
        final int dataAt = proxy.beginFetch(
            correlationId, partition.index, partition.log.logStartOffset(), highWatermark);
        int length = 0;
        if (fetchOffset < highWatermark)
        {
            try
            {
                length = partition.log.read(fetchOffset, maxBytes, proxy.buffer(), dataAt, proxy.capacityFrom(dataAt));
            }
            catch (final PartitionLogException ex)
            {
                lookup.onStorageError(connectionId, correlationId, FetchRequestDecoder.TEMPLATE_ID, ex);
                return;
            }
        }
        proxy.commitVarData(connectionId, length);
    }

    private void release(final int index)
    {
        final PendingFetch fetch = parked.get(index);
        final int last = parked.size() - 1;
        parked.set(index, parked.get(last));
        parked.remove(last);
        fetch.clear();
        pool.addLast(fetch);
    }

    /**
     * @param ms longest a fetch may wait from now on (a config reload).
     */
    void maxFetchWaitMs(final int ms)
    {
        maxFetchWaitMs = ms;
    }
}
