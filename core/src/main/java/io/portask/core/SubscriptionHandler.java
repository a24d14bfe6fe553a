package io.portask.core;

import io.portask.core.acl.Acl;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.RecordBatch;
import io.portask.protocol.sbe.CreditRequestDecoder;
import io.portask.protocol.sbe.SubscribeRequestDecoder;
import io.portask.protocol.sbe.UnsubscribeRequestDecoder;
import io.portask.storage.spi.PartitionLogException;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;

import java.util.ArrayList;

/**
 * Push subscriptions and their credit: each duty cycle pushes new batches to subscribers that have credit and whose
 * connection's unsent output is under its bound (the transport says when it is not).
 * <p>
 * Threading: the core agent's thread only.
 */
final class SubscriptionHandler
{
    private static final long MAX_CREDIT_BYTES = 1L << 40;

    private final TopicLookup lookup;
    private final ResponseProxy proxy;
    private final CoreCounters counters;
    private final ErrorHandler errorHandler;
    private final int maxPushBytes;
    private final Long2ObjectHashMap<Subscription> byId = new Long2ObjectHashMap<>();
    private final ArrayList<Subscription> subscriptions = new ArrayList<>();
    private final LongHashSet outputBlocked = new LongHashSet();
    private long nextSubscriptionId = 1;

    SubscriptionHandler(
        final TopicLookup lookup,
        final ResponseProxy proxy,
        final CoreCounters counters,
        final ErrorHandler errorHandler,
        final int maxPushBytes)
    {
        this.lookup = lookup;
        this.proxy = proxy;
        this.counters = counters;
        this.errorHandler = errorHandler;
        this.maxPushBytes = maxPushBytes;
    }

    void onSubscribe(
        final long connectionId,
        final long correlationId,
        final DirectBuffer topicName,
        final int partitionIndex,
        final long startOffset,
        final int creditBytes)
    {
        final int templateId = SubscribeRequestDecoder.TEMPLATE_ID;
        if (creditBytes < 0)
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.INVALID_REQUEST,
                "creditBytes must be >= 0, got " + creditBytes);
            return;
        }
        final Partition partition = lookup.findPartition(
            connectionId, correlationId, templateId, topicName, partitionIndex, Acl.Operation.CONSUME);
        if (null == partition)
        {
            return;
        }
        final long from = -1 == startOffset ? partition.log.highWatermark() : startOffset;
        if (!lookup.checkOffset(connectionId, correlationId, templateId, partition, from))
        {
            return;
        }
        final Subscription subscription =
            new Subscription(nextSubscriptionId++, connectionId, partition, from, creditBytes);
        byId.put(subscription.id, subscription);
        subscriptions.add(subscription);
        counters.subscriptions().incrementRelease();
        proxy.sendSubscribe(connectionId, correlationId, subscription.id, from);
    }

    void onUnsubscribe(final long connectionId, final long correlationId, final long subscriptionId)
    {
        final Subscription subscription = byId.get(subscriptionId);
        if (null == subscription || subscription.connectionId != connectionId)
        {
            proxy.sendError(connectionId, correlationId, UnsubscribeRequestDecoder.TEMPLATE_ID,
                ErrorCode.UNKNOWN_SUBSCRIPTION, "no subscription " + subscriptionId + " on this connection");
            return;
        }
        remove(subscriptions.indexOf(subscription));
        proxy.sendUnsubscribe(connectionId, correlationId);
    }

    void onCredit(final long connectionId, final long correlationId, final long subscriptionId, final int creditBytes)
    {
        final Subscription subscription = byId.get(subscriptionId);
        if (null == subscription || subscription.connectionId != connectionId || creditBytes < 0)
        {
            proxy.sendError(connectionId, correlationId, CreditRequestDecoder.TEMPLATE_ID,
                ErrorCode.UNKNOWN_SUBSCRIPTION, "no subscription " + subscriptionId + " on this connection, or " +
                "negative credit " + creditBytes);
            return;
        }
        subscription.creditBytes = Math.min(MAX_CREDIT_BYTES, subscription.creditBytes + creditBytes);
    }

    /**
     * The transport says a connection's unsent output reached its bound (or drained): pushes to it pause (or go
     * on) whatever credit its subscriptions hold, so a subscriber that does not read cannot grow broker memory.
     */
    void onOutputBlocked(final long connectionId, final boolean blocked)
    {
        if (blocked)
        {
            outputBlocked.add(connectionId);
            counters.pushesPaused().incrementRelease();
        }
        else
        {
            outputBlocked.remove(connectionId);
        }
    }

    void onConnectionClosed(final long connectionId)
    {
        outputBlocked.remove(connectionId);
        for (int i = subscriptions.size() - 1; i >= 0; i--)
        {
            if (subscriptions.get(i).connectionId == connectionId)
            {
                remove(i);
            }
        }
    }

    void onTopicDeleted(final Topic topic)
    {
        for (int i = subscriptions.size() - 1; i >= 0; i--)
        {
            if (subscriptions.get(i).partition.topic == topic)
            {
                remove(i);
            }
        }
    }

    /**
     * Duty cycle: push to every subscription with credit, new records and room on its connection.
     *
     * @return pushes sent.
     */
    int doWork()
    {
        int workCount = 0;
        for (int i = subscriptions.size() - 1; i >= 0; i--)
        {
            final Subscription subscription = subscriptions.get(i);
            final Partition partition = subscription.partition;
            final long highWatermark = partition.log.highWatermark();
            if (subscription.creditBytes <= 0 || subscription.nextOffset >= highWatermark ||
                (!outputBlocked.isEmpty() && outputBlocked.contains(subscription.connectionId)))
            {
                continue;
            }
            if (!proxy.hasCapacity(subscription.connectionId))
            {
                counters.outboundBackPressure().incrementRelease();
                continue;
            }
            if (subscription.nextOffset < partition.log.logStartOffset())
            {
                proxy.sendError(subscription.connectionId, -subscription.id, SubscribeRequestDecoder.TEMPLATE_ID,
                    ErrorCode.OFFSET_OUT_OF_RANGE, "subscription " + subscription.id + " fell behind the log start " +
                    partition.log.logStartOffset() + "; it is closed");
                remove(i);
                continue;
            }
            workCount += push(subscription, highWatermark);
        }
        return workCount;
    }

    private int push(final Subscription subscription, final long highWatermark)
    {
        final Partition partition = subscription.partition;
        final int dataAt = proxy.beginPush(subscription.id, partition.index, highWatermark);
        final int maxBytes = (int)Math.min(subscription.creditBytes, maxPushBytes);
        final int length;
        try
        {
            length = partition.log.read(
                subscription.nextOffset, maxBytes, proxy.buffer(), dataAt, proxy.capacityFrom(dataAt));
        }
        catch (final PartitionLogException ex)
        {
            errorHandler.onError(ex);
            return 0;
        }
        if (0 == length)
        {
            return 0;
        }
        subscription.nextOffset = lastNextOffset(proxy.buffer(), dataAt, length);
        subscription.creditBytes -= length;
        proxy.commitVarData(subscription.connectionId, length);
        return 1;
    }

    private static long lastNextOffset(final DirectBuffer buffer, final int offset, final int length)
    {
        int position = offset;
        long next = -1;
        while (position < offset + length)
        {
            next = RecordBatch.baseOffset(buffer, position) + RecordBatch.recordCount(buffer, position);
            position += RecordBatch.batchLength(buffer, position);
        }
        return next;
    }

    private void remove(final int index)
    {
        final Subscription subscription = subscriptions.get(index);
        final int last = subscriptions.size() - 1;
        subscriptions.set(index, subscriptions.get(last));
        subscriptions.remove(last);
        byId.remove(subscription.id);
        counters.subscriptions().decrementRelease();
    }
}
