package io.portask.core;

import io.portask.protocol.CounterFactory;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.Frame;
import io.portask.protocol.RecordBatch;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.AdminAction;
import io.portask.protocol.sbe.AdminRequestDecoder;
import io.portask.protocol.sbe.CommitOffsetRequestDecoder;
import io.portask.protocol.sbe.CreateTopicRequestDecoder;
import io.portask.protocol.sbe.CreditRequestDecoder;
import io.portask.protocol.sbe.DeleteTopicRequestDecoder;
import io.portask.protocol.sbe.DescribeTopicRequestDecoder;
import io.portask.protocol.sbe.FetchCommittedOffsetRequestDecoder;
import io.portask.protocol.sbe.FetchRequestDecoder;
import io.portask.protocol.sbe.GetOffsetsRequestDecoder;
import io.portask.protocol.sbe.ProduceRequestDecoder;
import io.portask.protocol.sbe.StorageKind;
import io.portask.protocol.sbe.SubscribeRequestDecoder;
import io.portask.protocol.sbe.UnsubscribeRequestDecoder;
import io.portask.storage.spi.BrokerStore;
import io.portask.storage.spi.PartitionListener;
import io.portask.storage.spi.PartitionLogException;
import io.portask.storage.spi.TopicDescriptor;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;
import org.agrona.collections.Object2LongHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The core agent: the single writer of all topic, partition, offset and subscription state. It drains
 * requests from the inbound ring, appends to and reads from the partition logs, and answers through the
 * outbound ring. It never blocks on a client; the one blocking call is the journal flush that {@code SYNC}
 * acks ask for, group-committed once per duty cycle.
 * <p>
 * Threading: {@link #doWork()} and every handler run on one thread, the agent's.
 */
public final class CoreAgent implements Agent
{
    private static final int REQUEST_LIMIT = 64;
    private static final int MAX_GROUP_NAME = 255;
    private static final long MAX_CREDIT_BYTES = 1L << 40;

    private final RingBuffer inbound;
    private final BrokerStore store;
    private final CounterFactory counterFactory;
    private final ErrorHandler errorHandler;
    private final PartitionListener partitionListener;
    private final AdminHandler adminHandler;
    private final NanoClock nanoClock;
    private final EpochClock epochClock;
    private final int maxPushBytes;
    private final int maxBatchLength;
    private final int maxFetchWaitMs;
    private final CoreCounters counters;
    private final ResponseProxy proxy;
    private final RequestAdapter adapter;
    private final TopicTable topics = new TopicTable();
    private final Object2LongHashMap<String> committedOffsets = new Object2LongHashMap<>(-1);
    private final Long2ObjectHashMap<ConnectionInfo> connections = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<Subscription> subscriptionsById = new Long2ObjectHashMap<>();
    private final ArrayList<Subscription> subscriptions = new ArrayList<>();
    private final LongHashSet outputBlocked = new LongHashSet();
    private final ArrayList<PendingFetch> pendingFetches = new ArrayList<>();
    private final ArrayDeque<PendingFetch> fetchPool = new ArrayDeque<>();
    private final PendingAcks syncAcks;
    private final PendingAcks durableAcks;
    private final RecordBatch batchFlyweight = new RecordBatch();
    private long nextSubscriptionId = 1;
    private long nowNs;

    /**
     * Build the agent and recover every topic and committed offset from the store.
     *
     * @param ctx concluded context.
     */
    public CoreAgent(final CoreContext ctx)
    {
        ctx.conclude();
        this.inbound = ctx.inboundRing();
        this.store = ctx.store();
        this.counterFactory = ctx.counterFactory();
        this.errorHandler = ctx.errorHandler();
        this.partitionListener = ctx.partitionListener();
        this.adminHandler = ctx.adminHandler();
        this.nanoClock = ctx.nanoClock();
        this.epochClock = ctx.epochClock();
        this.maxPushBytes = ctx.maxPushBytes();
        this.maxBatchLength = Frame.maxBatchLength(ctx.maxFrameLength());
        this.maxFetchWaitMs = ctx.maxFetchWaitMs();
        this.counters = new CoreCounters(counterFactory);
        this.proxy = new ResponseProxy(ctx.outboundRing(), ctx.ipcOutboundRing(), ctx.maxFrameLength(), counters);
        this.adapter = new RequestAdapter(this, proxy, counters);
        this.syncAcks = new PendingAcks(proxy, counters, errorHandler, "topic deleted before its SYNC ack");
        this.durableAcks = new PendingAcks(proxy, counters, errorHandler,
            "topic deleted before Dragonfly confirmed the records");
        recover();
    }

    private void recover()
    {
        for (final TopicDescriptor descriptor : store.loadTopics())
        {
            openTopic(descriptor);
        }
        store.loadCommittedOffsets((group, topic, partition, offset) ->
            committedOffsets.put(offsetKey(group, topic, partition), offset));
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return "portask-core";
    }

    /**
     * {@inheritDoc}
     */
    public int doWork()
    {
        nowNs = nanoClock.nanoTime();
        int workCount = inbound.controlledRead(adapter, REQUEST_LIMIT);
        workCount += syncAcks.flush();
        workCount += durableAcks.answerConfirmed();
        if (!pendingFetches.isEmpty())
        {
            workCount += completeFetches();
        }
        if (!subscriptions.isEmpty())
        {
            workCount += pushToSubscribers();
        }
        return workCount;
    }

    /**
     * {@inheritDoc}
     */
    public void onClose()
    {
        topics.forEach(topic -> CloseHelper.closeAll(topic.partitions));
        CloseHelper.close(counters);
    }

    /**
     * Number of topics, for tests and health.
     *
     * @return topics that exist.
     */
    public int topicCount()
    {
        return topics.size();
    }

    /**
     * An open connection as ListConnections reports it.
     *
     * @param connectionId the core's id.
     * @param remote       who is at the other end.
     * @param openedAtMs   when it opened, epoch ms.
     */
    record ConnectionInfo(long connectionId, String remote, long openedAtMs)
    {
    }

    void onConnectionOpened(final long connectionId, final String remote)
    {
        connections.put(connectionId, new ConnectionInfo(connectionId, remote, epochClock.time()));
        counters.connectionsActive().incrementRelease();
        counters.connectionsTotal().incrementRelease();
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
        if (null == connections.remove(connectionId))
        {
            return;
        }
        counters.connectionsActive().decrementRelease();
        for (int i = subscriptions.size() - 1; i >= 0; i--)
        {
            final Subscription subscription = subscriptions.get(i);
            if (subscription.connectionId == connectionId)
            {
                removeSubscription(i);
            }
        }
        for (int i = pendingFetches.size() - 1; i >= 0; i--)
        {
            if (pendingFetches.get(i).connectionId == connectionId)
            {
                releaseFetch(i);
            }
        }
        syncAcks.dropConnection(connectionId);
        durableAcks.dropConnection(connectionId);
    }

    void onProduce(
        final long connectionId,
        final long correlationId,
        final DirectBuffer topicName,
        final int partitionIndex,
        final AckLevel ackLevel,
        final MutableDirectBuffer batch)
    {
        final int templateId = ProduceRequestDecoder.TEMPLATE_ID;
        if (AckLevel.NULL_VAL == ackLevel)
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.INVALID_REQUEST, "unknown ack level");
            return;
        }
        final Partition partition = findPartition(connectionId, correlationId, templateId, topicName, partitionIndex);
        if (null == partition)
        {
            return;
        }
        final int length = batch.capacity();
        if (length > maxBatchLength)
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.MESSAGE_TOO_LARGE,
                "record batch of " + length + " bytes exceeds the largest accepted, " + maxBatchLength);
            return;
        }
        if (ErrorCode.NONE != batchFlyweight.wrap(batch, 0, length).validate())
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.CORRUPT_MESSAGE,
                "record batch failed its length, CRC or record structure check");
            return;
        }
        final int recordCount = batchFlyweight.recordCount();
        final long baseOffset;
        try
        {
            baseOffset = partition.log.append(batch, 0, length);
        }
        catch (final PartitionLogException ex)
        {
            onStorageError(connectionId, correlationId, templateId, ex);
            return;
        }
        partition.onAppended(recordCount, length);
        if (StorageKind.DRAGONFLY == partition.topic.descriptor.storage() && AckLevel.NONE != ackLevel)
        {
            durableAcks.add(connectionId, correlationId, partition, baseOffset, recordCount);
        }
        else if (AckLevel.SYNC == ackLevel)
        {
            syncAcks.add(connectionId, correlationId, partition, baseOffset, recordCount);
        }
        else if (AckLevel.NONE != ackLevel)
        {
            proxy.sendProduce(connectionId, correlationId, partitionIndex, baseOffset, recordCount);
        }
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
        final Partition partition = findPartition(connectionId, correlationId, templateId, topicName, partitionIndex);
        if (null == partition || !checkOffset(connectionId, correlationId, templateId, partition, fetchOffset))
        {
            return;
        }
        if (fetchOffset == partition.log.highWatermark() && maxWaitMs > 0)
        {
            final PendingFetch pending = fetchPool.isEmpty() ? new PendingFetch() : fetchPool.pollFirst();
            final long waitNs = TimeUnit.MILLISECONDS.toNanos(Math.min(maxWaitMs, maxFetchWaitMs));
            pendingFetches.add(pending.set(connectionId, correlationId, partition, fetchOffset, maxBytes,
                nowNs + waitNs));
            return;
        }
        sendFetch(connectionId, correlationId, partition, fetchOffset, maxBytes);
    }

    void onGetOffsets(
        final long connectionId, final long correlationId, final DirectBuffer topicName, final int partitionIndex)
    {
        final Partition partition = findPartition(
            connectionId, correlationId, GetOffsetsRequestDecoder.TEMPLATE_ID, topicName,
            partitionIndex);
        if (null != partition)
        {
            proxy.sendOffsets(connectionId, correlationId, partitionIndex, partition.log.logStartOffset(),
                partition.log.highWatermark());
        }
    }

    void onCreateTopic(
        final long connectionId,
        final long correlationId,
        final String name,
        final int partitions,
        final StorageKind storage)
    {
        final int templateId = CreateTopicRequestDecoder.TEMPLATE_ID;
        final String invalidName = TopicDescriptor.validateName(name);
        final String problem = null != invalidName ? invalidName :
            partitions < 1 || partitions > TopicDescriptor.MAX_PARTITIONS ?
            "partitions must be in [1, " + TopicDescriptor.MAX_PARTITIONS + "], got " + partitions :
            StorageKind.NULL_VAL == storage ? "unknown storage kind" : null;
        if (null != problem)
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.INVALID_REQUEST, problem);
            return;
        }
        final byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (null != topics.get(new org.agrona.concurrent.UnsafeBuffer(nameBytes), 0, nameBytes.length))
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.TOPIC_ALREADY_EXISTS,
                "topic '" + name + "' already exists");
            return;
        }
        final TopicDescriptor descriptor = new TopicDescriptor(name, partitions, storage);
        try
        {
            store.createTopic(descriptor);
        }
        catch (final PartitionLogException ex)
        {
            onStorageError(connectionId, correlationId, templateId, ex);
            return;
        }
        try
        {
            openTopic(descriptor);
        }
        catch (final PartitionLogException ex)
        {
            store.deleteTopic(descriptor);
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.INVALID_REQUEST, ex.getMessage());
            return;
        }
        proxy.sendCreateTopic(connectionId, correlationId);
    }

    private void openTopic(final TopicDescriptor descriptor)
    {
        final Topic topic = new Topic(descriptor);
        try
        {
            for (int i = 0; i < descriptor.partitions(); i++)
            {
                topic.partitions[i] = new Partition(topic, i, store.openPartition(descriptor, i), counterFactory);
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.closeAll(topic.partitions);
            throw ex;
        }
        topics.put(topic);
        counters.topics().incrementRelease();
        for (final Partition partition : topic.partitions)
        {
            partitionListener.onPartitionOpened(
                descriptor, partition.index, partition.log, partition.highWatermark, partition.bytesAppended);
        }
    }

    void onDeleteTopic(final long connectionId, final long correlationId, final DirectBuffer topicName)
    {
        final int templateId = DeleteTopicRequestDecoder.TEMPLATE_ID;
        final Topic topic = topics.get(topicName, 0, topicName.capacity());
        if (null == topic)
        {
            sendUnknownTopic(connectionId, correlationId, templateId, topicName, -1);
            return;
        }
        for (int i = subscriptions.size() - 1; i >= 0; i--)
        {
            if (subscriptions.get(i).partition.topic == topic)
            {
                removeSubscription(i);
            }
        }
        for (int i = pendingFetches.size() - 1; i >= 0; i--)
        {
            final PendingFetch fetch = pendingFetches.get(i);
            if (fetch.partition.topic == topic)
            {
                sendUnknownTopic(fetch.connectionId, fetch.correlationId, FetchRequestDecoder.TEMPLATE_ID,
                    topicName, fetch.partition.index);
                releaseFetch(i);
            }
        }
        syncAcks.dropTopic(topic);
        durableAcks.dropTopic(topic);
        topics.remove(topic);
        counters.topics().decrementRelease();
        CloseHelper.closeAll(topic.partitions);
        partitionListener.onTopicDeleted(topic.descriptor);
        final String prefix = topic.name() + '\u0000';
        committedOffsets.keySet().removeIf(key -> key.substring(key.indexOf('\u0000') + 1).startsWith(prefix));
        try
        {
            store.deleteTopic(topic.descriptor);
        }
        catch (final PartitionLogException ex)
        {
            onStorageError(connectionId, correlationId, templateId, ex);
            return;
        }
        proxy.sendDeleteTopic(connectionId, correlationId);
    }

    void onListTopics(final long connectionId, final long correlationId)
    {
        proxy.sendListTopics(connectionId, correlationId, topics.toSortedArray());
    }

    void onDescribeTopic(final long connectionId, final long correlationId, final DirectBuffer topicName)
    {
        final Topic topic = topics.get(topicName, 0, topicName.capacity());
        if (null == topic)
        {
            sendUnknownTopic(connectionId, correlationId,
                DescribeTopicRequestDecoder.TEMPLATE_ID, topicName, -1);
            return;
        }
        proxy.sendDescribeTopic(connectionId, correlationId, topic);
    }

    void onHealth(final long connectionId, final long correlationId)
    {
        proxy.sendHealth(connectionId, correlationId, epochClock.time(), topics.size(), connections.size());
    }

    void onListConnections(final long connectionId, final long correlationId)
    {
        proxy.sendConnections(connectionId, correlationId, connections.values());
    }

    void onAdmin(final long connectionId, final long correlationId, final AdminAction action)
    {
        if (AdminAction.NULL_VAL == action)
        {
            proxy.sendError(connectionId, correlationId, AdminRequestDecoder.TEMPLATE_ID,
                ErrorCode.INVALID_REQUEST, "unknown admin action");
            return;
        }
        try
        {
            proxy.sendAdmin(connectionId, correlationId, adminHandler.onAdmin(action));
        }
        catch (final IllegalStateException ex)
        {
            proxy.sendError(connectionId, correlationId, AdminRequestDecoder.TEMPLATE_ID,
                ErrorCode.INVALID_REQUEST, ex.getMessage());
        }
    }

    void onCommitOffset(
        final long connectionId,
        final long correlationId,
        final String group,
        final DirectBuffer topicName,
        final int partitionIndex,
        final long offset)
    {
        final int templateId = CommitOffsetRequestDecoder.TEMPLATE_ID;
        if (!checkGroup(connectionId, correlationId, templateId, group))
        {
            return;
        }
        final Partition partition = findPartition(connectionId, correlationId, templateId, topicName, partitionIndex);
        if (null == partition || !checkOffset(connectionId, correlationId, templateId, partition, offset))
        {
            return;
        }
        try
        {
            store.commitOffset(group, partition.topic.name(), partitionIndex, offset);
        }
        catch (final PartitionLogException ex)
        {
            onStorageError(connectionId, correlationId, templateId, ex);
            return;
        }
        committedOffsets.put(offsetKey(group, partition.topic.name(), partitionIndex), offset);
        proxy.sendCommitOffset(connectionId, correlationId);
    }

    void onFetchCommittedOffset(
        final long connectionId,
        final long correlationId,
        final String group,
        final DirectBuffer topicName,
        final int partitionIndex)
    {
        final int templateId = FetchCommittedOffsetRequestDecoder.TEMPLATE_ID;
        if (!checkGroup(connectionId, correlationId, templateId, group))
        {
            return;
        }
        final Partition partition = findPartition(connectionId, correlationId, templateId, topicName, partitionIndex);
        if (null != partition)
        {
            final long offset = committedOffsets.getValue(offsetKey(group, partition.topic.name(), partitionIndex));
            proxy.sendCommittedOffset(connectionId, correlationId, partitionIndex, offset);
        }
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
        final Partition partition = findPartition(connectionId, correlationId, templateId, topicName, partitionIndex);
        if (null == partition)
        {
            return;
        }
        final long from = -1 == startOffset ? partition.log.highWatermark() : startOffset;
        if (!checkOffset(connectionId, correlationId, templateId, partition, from))
        {
            return;
        }
        final Subscription subscription =
            new Subscription(nextSubscriptionId++, connectionId, partition, from, creditBytes);
        subscriptionsById.put(subscription.id, subscription);
        subscriptions.add(subscription);
        counters.subscriptions().incrementRelease();
        proxy.sendSubscribe(connectionId, correlationId, subscription.id, from);
    }

    void onUnsubscribe(final long connectionId, final long correlationId, final long subscriptionId)
    {
        final Subscription subscription = subscriptionsById.get(subscriptionId);
        if (null == subscription || subscription.connectionId != connectionId)
        {
            proxy.sendError(connectionId, correlationId, UnsubscribeRequestDecoder.TEMPLATE_ID,
                ErrorCode.UNKNOWN_SUBSCRIPTION, "no subscription " + subscriptionId + " on this connection");
            return;
        }
        removeSubscription(subscriptions.indexOf(subscription));
        proxy.sendUnsubscribe(connectionId, correlationId);
    }

    void onCredit(final long connectionId, final long correlationId, final long subscriptionId, final int creditBytes)
    {
        final Subscription subscription = subscriptionsById.get(subscriptionId);
        if (null == subscription || subscription.connectionId != connectionId || creditBytes < 0)
        {
            proxy.sendError(connectionId, correlationId, CreditRequestDecoder.TEMPLATE_ID,
                ErrorCode.UNKNOWN_SUBSCRIPTION, "no subscription " + subscriptionId + " on this connection, or " +
                "negative credit " + creditBytes);
            return;
        }
        subscription.creditBytes = Math.min(MAX_CREDIT_BYTES, subscription.creditBytes + creditBytes);
    }

    private int completeFetches()
    {
        int workCount = 0;
        for (int i = pendingFetches.size() - 1; i >= 0; i--)
        {
            final PendingFetch fetch = pendingFetches.get(i);
            if (fetch.partition.log.highWatermark() > fetch.fetchOffset || nowNs - fetch.deadlineNs >= 0)
            {
                if (!proxy.hasCapacity(fetch.connectionId))
                {
                    counters.outboundBackPressure().incrementRelease();
                    break;
                }
                sendFetch(fetch.connectionId, fetch.correlationId, fetch.partition, fetch.fetchOffset, fetch.maxBytes);
                releaseFetch(i);
                workCount++;
            }
        }
        return workCount;
    }

    private int pushToSubscribers()
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
                removeSubscription(i);
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
                onStorageError(connectionId, correlationId, FetchRequestDecoder.TEMPLATE_ID, ex);
                return;
            }
        }
        proxy.commitVarData(connectionId, length);
    }

    private Partition findPartition(
        final long connectionId,
        final long correlationId,
        final int templateId,
        final DirectBuffer topicName,
        final int partitionIndex)
    {
        final Topic topic = topics.get(topicName, 0, topicName.capacity());
        final Partition partition = null == topic ? null : topic.partition(partitionIndex);
        if (null == partition)
        {
            sendUnknownTopic(connectionId, correlationId, templateId, topicName, partitionIndex);
        }
        return partition;
    }

    private boolean checkOffset(
        final long connectionId,
        final long correlationId,
        final int templateId,
        final Partition partition,
        final long offset)
    {
        final long start = partition.log.logStartOffset();
        final long end = partition.log.highWatermark();
        final StorageKind storage = partition.topic.descriptor.storage();
        if (offset < start && StorageKind.JOURNAL != storage)
        {
            counters.evictedReads().incrementRelease();
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.OFFSET_OUT_OF_RANGE,
                "offset " + offset + " of " + (StorageKind.MEMORY == storage ? "memory-only " : "Dragonfly-only ") +
                partition.topic.name() + "/" + partition.index + " was evicted from memory; the oldest held is " +
                start + (StorageKind.DRAGONFLY == storage ? " (older records are in Dragonfly: read them there)" : ""));
            return false;
        }
        if (offset < start || offset > end)
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.OFFSET_OUT_OF_RANGE,
                "offset " + offset + " is outside [" + start + ", " + end + "] of " + partition.topic.name() + "/" +
                partition.index);
            return false;
        }
        return true;
    }

    private boolean checkGroup(
        final long connectionId, final long correlationId, final int templateId, final String group)
    {
        if (group.isEmpty() || group.length() > MAX_GROUP_NAME || group.indexOf('\u0000') >= 0)
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.INVALID_REQUEST,
                "group must have 1 to " + MAX_GROUP_NAME + " characters and no NUL");
            return false;
        }
        return true;
    }

    private void sendUnknownTopic(
        final long connectionId,
        final long correlationId,
        final int templateId,
        final DirectBuffer topicName,
        final int partitionIndex)
    {
        final String name = topicName.getStringWithoutLengthUtf8(0, topicName.capacity());
        proxy.sendError(connectionId, correlationId, templateId, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            partitionIndex < 0 ? "unknown topic '" + name + "'" :
            "unknown topic or partition '" + name + "'/" + partitionIndex);
    }

    private void onStorageError(
        final long connectionId, final long correlationId, final int templateId, final PartitionLogException ex)
    {
        errorHandler.onError(ex);
        proxy.sendError(connectionId, correlationId, templateId, ErrorCode.STORAGE_ERROR, ex.getMessage());
    }

    private void removeSubscription(final int index)
    {
        final Subscription subscription = subscriptions.get(index);
        final int last = subscriptions.size() - 1;
        subscriptions.set(index, subscriptions.get(last));
        subscriptions.remove(last);
        subscriptionsById.remove(subscription.id);
        counters.subscriptions().decrementRelease();
    }

    private void releaseFetch(final int index)
    {
        final PendingFetch fetch = pendingFetches.get(index);
        final int last = pendingFetches.size() - 1;
        pendingFetches.set(index, pendingFetches.get(last));
        pendingFetches.remove(last);
        fetch.clear();
        fetchPool.addLast(fetch);
    }

    private static String offsetKey(final String group, final String topic, final int partition)
    {
        return group + '\u0000' + topic + '\u0000' + partition;
    }
}
