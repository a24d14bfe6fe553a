package io.portask.core;

import io.portask.core.acl.Acl;
import io.portask.protocol.CounterFactory;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.AlterTopicRequestDecoder;
import io.portask.protocol.sbe.CreateTopicRequestDecoder;
import io.portask.protocol.sbe.DeleteTopicRequestDecoder;
import io.portask.protocol.sbe.DescribeTopicRequestDecoder;
import io.portask.protocol.sbe.StorageKind;
import io.portask.storage.spi.BrokerStore;
import io.portask.storage.spi.PartitionListener;
import io.portask.storage.spi.PartitionLogException;
import io.portask.storage.spi.TopicDescriptor;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;

import java.util.Arrays;

/**
 * Topic admin: create, delete, list and describe, and opening every topic the store holds at start. A delete
 * first tells the handlers that hold per-partition state (held acks, parked fetches, subscriptions).
 * <p>
 * Threading: the core agent's thread only.
 */
final class TopicHandler
{
    private final TopicLookup lookup;
    private final TopicTable topics;
    private final ResponseProxy proxy;
    private final CoreCounters counters;
    private final BrokerStore store;
    private final CounterFactory counterFactory;
    private final PartitionListener partitionListener;
    private final ProduceHandler produce;
    private final FetchHandler fetch;
    private final SubscriptionHandler subscriptions;
    private final ReplicatedWrites replicated;
    private final ErrorHandler errorHandler;
    private long defaultRetentionMs;
    private long defaultRetentionBytes;

    TopicHandler(
        final TopicLookup lookup,
        final ResponseProxy proxy,
        final CoreCounters counters,
        final CoreContext ctx,
        final ProduceHandler produce,
        final FetchHandler fetch,
        final SubscriptionHandler subscriptions,
        final ReplicatedWrites replicated)
    {
        this.replicated = replicated;
        this.errorHandler = ctx.errorHandler();
        this.lookup = lookup;
        this.topics = lookup.topics();
        this.proxy = proxy;
        this.counters = counters;
        this.store = ctx.store();
        this.counterFactory = ctx.counterFactory();
        this.partitionListener = ctx.partitionListener();
        this.produce = produce;
        this.fetch = fetch;
        this.subscriptions = subscriptions;
        this.defaultRetentionMs = ctx.retentionMs();
        this.defaultRetentionBytes = ctx.retentionBytes();
    }

    /**
     * New broker defaults from a config reload, for what DescribeTopic reports.
     */
    void settings(final CoreSettings settings)
    {
        defaultRetentionMs = settings.retentionMs();
        defaultRetentionBytes = settings.retentionBytes();
    }

    /**
     * Open every topic the store holds.
     */
    void recover()
    {
        for (final TopicDescriptor descriptor : store.loadTopics())
        {
            openTopic(descriptor);
        }
    }

    void onCreateTopic(
        final long connectionId,
        final long correlationId,
        final String name,
        final int partitions,
        final StorageKind storage,
        final long retentionMs,
        final long retentionBytes)
    {
        final int templateId = CreateTopicRequestDecoder.TEMPLATE_ID;
        if (!lookup.authorize(connectionId, correlationId, templateId, Acl.Operation.CREATE, Acl.ResourceType.TOPIC,
            name))
        {
            return;
        }
        final String invalidName = TopicDescriptor.validateName(name);
        final String problem = null != invalidName ? invalidName :
            partitions < 1 || partitions > TopicDescriptor.MAX_PARTITIONS ?
            "partitions must be in [1, " + TopicDescriptor.MAX_PARTITIONS + "], got " + partitions :
            StorageKind.NULL_VAL == storage ? "unknown storage kind" : retentionProblem(retentionMs, retentionBytes);
        if (null != problem)
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.INVALID_REQUEST, problem);
            return;
        }
        if (null != topics.get(name))
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.TOPIC_ALREADY_EXISTS,
                "topic '" + name + "' already exists");
            return;
        }
        final TopicDescriptor descriptor = new TopicDescriptor(name, partitions, storage,
            TopicDescriptor.normalizeRetention(retentionMs), TopicDescriptor.normalizeRetention(retentionBytes));
        if (StorageKind.REPLICATED == storage)
        {
            replicated.createTopic(connectionId, correlationId, descriptor);
            return;
        }
        try
        {
            store.createTopic(descriptor);
        }
        catch (final PartitionLogException ex)
        {
            lookup.onStorageError(connectionId, correlationId, templateId, ex);
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
        catch (final IllegalStateException ex)
        {
            // the counters buffer is full (every partition has its counters): nothing of the topic is kept
            store.deleteTopic(descriptor);
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.INVALID_REQUEST, "no room for the " +
                "counters of " + partitions + " more partition(s) (" + ex.getMessage() + "): delete topics, or " +
                "give the media driver a larger aeron.counters.buffer.length");
            return;
        }
        proxy.sendCreateTopic(connectionId, correlationId);
    }

    /**
     * Open a replicated topic the cluster committed: on every node, in log order.
     */
    void openCommitted(final TopicDescriptor descriptor)
    {
        try
        {
            store.createTopic(descriptor);
            openTopic(descriptor);
        }
        catch (final RuntimeException ex)
        {
            // a full disk or counters buffer: this node cannot follow the cluster's topics; it says so
            errorHandler.onError(ex);
        }
    }

    private static String retentionProblem(final long retentionMs, final long retentionBytes)
    {
        final String ms = TopicDescriptor.validateRetention(retentionMs, "retention.ms");
        return null != ms ? ms : TopicDescriptor.validateRetention(retentionBytes, "retention.bytes");
    }

    void onAlterTopic(
        final long connectionId,
        final long correlationId,
        final DirectBuffer topicName,
        final long retentionMs,
        final long retentionBytes)
    {
        final int templateId = AlterTopicRequestDecoder.TEMPLATE_ID;
        final Topic topic = authorizedTopic(connectionId, correlationId, templateId, topicName, Acl.Operation.ALTER);
        if (null == topic || replicatedRefused(connectionId, correlationId, templateId, topic, "altered"))
        {
            return;
        }
        final long ms = AlterTopicRequestDecoder.retentionMsNullValue() == retentionMs ?
            topic.descriptor.retentionMs() : retentionMs;
        final long bytes = AlterTopicRequestDecoder.retentionBytesNullValue() == retentionBytes ?
            topic.descriptor.retentionBytes() : retentionBytes;
        final String problem = retentionProblem(ms, bytes);
        if (null != problem)
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.INVALID_REQUEST, problem);
            return;
        }
        final TopicDescriptor altered = topic.descriptor.withRetention(
            TopicDescriptor.normalizeRetention(ms), TopicDescriptor.normalizeRetention(bytes));
        try
        {
            store.alterTopic(altered);
        }
        catch (final PartitionLogException ex)
        {
            lookup.onStorageError(connectionId, correlationId, templateId, ex);
            return;
        }
        topic.descriptor = altered;
        proxy.sendAlterTopic(connectionId, correlationId);
    }

    void onDeleteTopic(final long connectionId, final long correlationId, final DirectBuffer topicName)
    {
        final int templateId = DeleteTopicRequestDecoder.TEMPLATE_ID;
        final Topic topic = authorizedTopic(connectionId, correlationId, templateId, topicName, Acl.Operation.DELETE);
        if (null == topic || replicatedRefused(connectionId, correlationId, templateId, topic, "deleted"))
        {
            return;
        }
        subscriptions.onTopicDeleted(topic);
        fetch.onTopicDeleted(topic, topicName);
        produce.onTopicDeleted(topic);
        topics.remove(topic);
        counters.topics().decrementRelease();
        CloseHelper.closeAll(topic.partitions);
        partitionListener.onTopicDeleted(topic.descriptor);
        try
        {
            store.deleteTopic(topic.descriptor);
        }
        catch (final PartitionLogException ex)
        {
            lookup.onStorageError(connectionId, correlationId, templateId, ex);
            return;
        }
        proxy.sendDeleteTopic(connectionId, correlationId);
    }

    /**
     * @return true after refusing to alter or delete a replicated topic: not through the cluster yet.
     */
    private boolean replicatedRefused(final long connectionId, final long correlationId, final int templateId,
        final Topic topic, final String what)
    {
        if (StorageKind.REPLICATED != topic.descriptor.storage())
        {
            return false;
        }
        proxy.sendError(connectionId, correlationId, templateId, ErrorCode.INVALID_REQUEST, "replicated topic '" +
            topic.name() + "' cannot be " + what + " yet: it would change one node only (docs/replication.md)");
        return true;
    }

    void onListTopics(final long connectionId, final long correlationId)
    {
        // only the topics the connection may describe, as Kafka lists them
        final Authorizer authorizer = lookup.authorizer();
        proxy.sendListTopics(connectionId, correlationId, Arrays.stream(topics.toSortedArray())
            .filter(topic -> authorizer.allowed(connectionId, Acl.Operation.DESCRIBE, topic)).toArray(Topic[]::new));
    }

    void onDescribeTopic(final long connectionId, final long correlationId, final DirectBuffer topicName)
    {
        final Topic topic = authorizedTopic(
            connectionId, correlationId, DescribeTopicRequestDecoder.TEMPLATE_ID, topicName, Acl.Operation.DESCRIBE);
        if (null == topic)
        {
            return;
        }
        proxy.sendDescribeTopic(connectionId, correlationId, topic, topic.retentionMs(defaultRetentionMs),
            topic.retentionBytes(defaultRetentionBytes));
    }

    /**
     * @return the topic, or null after answering NOT_AUTHORIZED (the connection may not do the operation on it,
     *         said whether or not it exists) or UNKNOWN_TOPIC_OR_PARTITION.
     */
    private Topic authorizedTopic(
        final long connectionId, final long correlationId, final int templateId, final DirectBuffer topicName,
        final Acl.Operation operation)
    {
        final Topic topic = topics.get(topicName, 0, topicName.capacity());
        final String name = null == topic ? topicName.getStringWithoutLengthUtf8(0, topicName.capacity()) :
            topic.name();
        if (!lookup.authorize(connectionId, correlationId, templateId, operation, Acl.ResourceType.TOPIC, name))
        {
            return null;
        }
        if (null == topic)
        {
            lookup.sendUnknownTopic(connectionId, correlationId, templateId, topicName, -1);
        }
        return topic;
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
}
