package io.portask.core;

import io.portask.core.acl.Acl;
import io.portask.protocol.ErrorCode;
import io.portask.storage.spi.PartitionLogException;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;

/**
 * What every handler needs to resolve a request's topic-partition and to refuse it the same way: the topic
 * table, the unknown-topic, out-of-range and storage-error answers.
 * <p>
 * Threading: the core agent's thread only.
 */
final class TopicLookup
{
    private final TopicTable topics;
    private final ResponseProxy proxy;
    private final CoreCounters counters;
    private final ErrorHandler errorHandler;
    private final Authorizer authorizer;

    TopicLookup(
        final TopicTable topics,
        final ResponseProxy proxy,
        final CoreCounters counters,
        final ErrorHandler errorHandler,
        final Authorizer authorizer)
    {
        this.topics = topics;
        this.proxy = proxy;
        this.counters = counters;
        this.errorHandler = errorHandler;
        this.authorizer = authorizer;
    }

    Authorizer authorizer()
    {
        return authorizer;
    }

    /**
     * @return true when the connection may do the operation on the resource; else false after answering
     *         NOT_AUTHORIZED naming who, what and which.
     */
    boolean authorize(
        final long connectionId, final long correlationId, final int templateId, final Acl.Operation operation,
        final Acl.ResourceType type, final String name)
    {
        if (authorizer.allowed(connectionId, operation, type, name))
        {
            return true;
        }
        proxy.sendError(connectionId, correlationId, templateId, ErrorCode.NOT_AUTHORIZED,
            authorizer.denied(connectionId, operation, type, name));
        return false;
    }

    TopicTable topics()
    {
        return topics;
    }

    /**
     * @return the partition, or null after answering NOT_AUTHORIZED (the connection may not do the operation on
     * the topic; said before whether it exists), UNKNOWN_TOPIC_OR_PARTITION, or STORAGE_ERROR (retriable) when its
     * log is not ready yet.
     */
    Partition findPartition(
        final long connectionId,
        final long correlationId,
        final int templateId,
        final DirectBuffer topicName,
        final int partitionIndex,
        final Acl.Operation operation)
    {
        final Topic topic = topics.get(topicName, 0, topicName.capacity());
        if (null != topic && !authorizer.allowed(connectionId, operation, topic))
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.NOT_AUTHORIZED,
                authorizer.denied(connectionId, operation, Acl.ResourceType.TOPIC, topic.name()));
            return null;
        }
        if (null == topic && authorizer.enabled() && !authorize(connectionId, correlationId, templateId, operation,
            Acl.ResourceType.TOPIC, topicName.getStringWithoutLengthUtf8(0, topicName.capacity())))
        {
            return null;
        }
        final Partition partition = null == topic ? null : topic.partition(partitionIndex);
        if (null == partition)
        {
            sendUnknownTopic(connectionId, correlationId, templateId, topicName, partitionIndex);
            return null;
        }
        if (!partition.log.isReady())
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.STORAGE_ERROR, "partition " +
                partition.topic.name() + "/" + partitionIndex + " is not ready yet (its storage is opening); retry");
            return null;
        }
        return partition;
    }

    /**
     * @return true when {@code offset} lies in [log start, high watermark]; else false after answering
     * OFFSET_OUT_OF_RANGE, saying why when the log evicted it.
     */
    boolean checkOffset(
        final long connectionId,
        final long correlationId,
        final int templateId,
        final Partition partition,
        final long offset)
    {
        final long start = partition.log.logStartOffset();
        final long end = partition.log.highWatermark();
        final String evicted = offset < start ? partition.log.evictedMessage(offset) : null;
        if (null != evicted)
        {
            counters.evictedReads().incrementRelease();
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.OFFSET_OUT_OF_RANGE, evicted);
            return false;
        }
        if (offset < start)
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.OFFSET_OUT_OF_RANGE,
                "offset " + offset + " is before the log start " + start + " of " + partition.topic.name() + "/" +
                partition.index + " (retention deleted what came before; high watermark " + end + ")");
            return false;
        }
        if (offset > end)
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.OFFSET_OUT_OF_RANGE,
                "offset " + offset + " is outside [" + start + ", " + end + "] of " + partition.topic.name() + "/" +
                partition.index);
            return false;
        }
        return true;
    }

    void sendUnknownTopic(
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

    /**
     * Record a storage fault once in the error log and answer with STORAGE_ERROR (retriable).
     */
    void onStorageError(
        final long connectionId, final long correlationId, final int templateId, final PartitionLogException ex)
    {
        errorHandler.onError(ex);
        proxy.sendError(connectionId, correlationId, templateId, ErrorCode.STORAGE_ERROR, ex.getMessage());
    }
}
