package io.portask.core;

import io.portask.protocol.CounterFactory;
import io.portask.protocol.CounterIds;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.RecordBatch;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.CommitOffsetRequestDecoder;
import io.portask.protocol.sbe.CreateTopicRequestDecoder;
import io.portask.protocol.sbe.ProduceRequestDecoder;
import io.portask.protocol.sbe.StorageKind;
import io.portask.storage.spi.PartitionLogException;
import io.portask.storage.spi.TopicDescriptor;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Writes to replicated topics on a cluster node (docs/replication.md): the leader sends produces and creates to the
 * cluster's log through the {@link ReplicationLink} and answers them once committed (a majority of the nodes have
 * them: ack level QUORUM; every ack level but NONE waits for it on a replicated topic); a follower answers
 * NOT_LEADER with the leader's address. Every node applies the committed log to its journals here, in order, so a
 * follower serves fetches of committed records as the leader does.
 * <p>
 * A request the cluster does not answer within {@link #TIMEOUT_NS} (its leader failed with it in flight) is answered
 * REQUEST_TIMEOUT, retriable: it may or may not have been committed, so an idempotent producer sends it again and
 * is answered with its first offset if it was.
 * <p>
 * Threading: the core agent's thread only.
 */
final class ReplicatedWrites implements ReplicationLink.Applier
{
    /** How long a request waits for the cluster before it is answered REQUEST_TIMEOUT. */
    static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    /** How often the cluster counters are refreshed and time-outs looked for. */
    private static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(100);

    /**
     * A request waiting for the cluster's answer; reused once answered (a free list), so a steady stream of writes
     * allocates none.
     */
    private static final class Pending
    {
        long connectionId;
        long correlationId;
        int templateId;
        Partition partition;
        int recordCount;
        long startNs;
    }

    private final ReplicationLink link;
    private final TopicTable topics;
    private final ResponseProxy proxy;
    private final CoreCounters counters;
    private final ErrorHandler errorHandler;
    private final NanoClock nanoClock;
    private final Long2ObjectHashMap<Pending> pending = new Long2ObjectHashMap<>();
    private final ArrayDeque<Pending> free = new ArrayDeque<>();
    private final AtomicCounter node;
    private final AtomicCounter leader;
    private final AtomicCounter logPosition;
    private Consumer<TopicDescriptor> topicOpener;
    private CommitApplier commitApplier;
    private long nextRequestId;
    private long nextTickNs;

    ReplicatedWrites(
        final ReplicationLink link,
        final TopicTable topics,
        final ResponseProxy proxy,
        final CoreCounters counters,
        final ErrorHandler errorHandler,
        final NanoClock nanoClock,
        final CounterFactory counterFactory)
    {
        this.link = link;
        this.node = null == link ? null : counterFactory.newCounter(CounterIds.CLUSTER_NODE, "cluster node");
        this.leader = null == link ? null : counterFactory.newCounter(CounterIds.CLUSTER_LEADER, "cluster leader");
        this.logPosition = null == link ? null :
            counterFactory.newCounter(CounterIds.CLUSTER_LOG_POSITION, "cluster log position");
        if (null != link)
        {
            node.setRelease(link.memberId());
            leader.setRelease(-1);
        }
        this.topics = topics;
        this.proxy = proxy;
        this.counters = counters;
        this.errorHandler = errorHandler;
        this.nanoClock = nanoClock;
    }

    /**
     * Records a group's commit the cluster committed.
     */
    @FunctionalInterface
    interface CommitApplier
    {
        /**
         * @param group     the group.
         * @param topic     the replicated topic.
         * @param partition its partition.
         * @param offset    the committed offset.
         */
        void apply(String group, String topic, int partition, long offset);
    }

    /**
     * @param applier records a group's commit the cluster committed.
     */
    void commitApplier(final CommitApplier applier)
    {
        this.commitApplier = applier;
    }

    /**
     * @param opener opens a replicated topic the cluster committed (creates it in the store first).
     */
    void topicOpener(final Consumer<TopicDescriptor> opener)
    {
        this.topicOpener = opener;
    }

    /**
     * @return this node's member id, its view of the leader's and the log position it applied, for Health; -1 each
     * when the broker is not a cluster node.
     */
    int memberId()
    {
        return null == link ? -1 : link.memberId();
    }

    int leaderMemberId()
    {
        return null == link ? -1 : link.leaderMemberId();
    }

    long logPosition()
    {
        return null == link ? -1 : link.logPosition();
    }

    static boolean isReplicated(final Partition partition)
    {
        return StorageKind.REPLICATED == partition.topic.descriptor.storage();
    }

    /**
     * @return the producer id a new idempotent producer gets: unique across the cluster's nodes.
     */
    long producerId(final long localId)
    {
        return null == link ? localId : localId * 256 + link.memberId();
    }

    void produce(
        final long connectionId,
        final long correlationId,
        final Partition partition,
        final AckLevel ackLevel,
        final long producerId,
        final long sequence,
        final int recordCount,
        final DirectBuffer batch,
        final int length)
    {
        final long requestId = ++nextRequestId;
        if (refused(connectionId, correlationId, ProduceRequestDecoder.TEMPLATE_ID) ||
            !offered(connectionId, correlationId, ProduceRequestDecoder.TEMPLATE_ID, link.offerAppend(
            requestId, partition.topic.nameBytes, partition.index, producerId, sequence, batch, 0, length)))
        {
            return;
        }
        if (AckLevel.NONE != ackLevel)
        {
            track(requestId, connectionId, correlationId, ProduceRequestDecoder.TEMPLATE_ID, partition, recordCount);
        }
    }

    void createTopic(final long connectionId, final long correlationId, final TopicDescriptor topic)
    {
        final long requestId = ++nextRequestId;
        if (refused(connectionId, correlationId, CreateTopicRequestDecoder.TEMPLATE_ID) ||
            !offered(connectionId, correlationId, CreateTopicRequestDecoder.TEMPLATE_ID, link.offerCreateTopic(
            requestId, topic.name(), topic.partitions(), topic.retentionMs(), topic.retentionBytes())))
        {
            return;
        }
        track(requestId, connectionId, correlationId, CreateTopicRequestDecoder.TEMPLATE_ID, null, 0);
    }

    /**
     * A group's commit of an offset on a replicated partition, through the cluster's log: answered once committed,
     * recorded by every node.
     */
    void commit(final long connectionId, final long correlationId, final Partition partition, final String group,
        final long offset)
    {
        final int templateId = CommitOffsetRequestDecoder.TEMPLATE_ID;
        final long requestId = ++nextRequestId;
        if (refused(connectionId, correlationId, templateId) || !offered(connectionId, correlationId, templateId,
            link.offerCommit(requestId, group, partition.topic.name(), partition.index, offset)))
        {
            return;
        }
        track(requestId, connectionId, correlationId, templateId, partition, 0);
    }

    /**
     * A request the cluster took: wait for its answer.
     */
    private void track(final long requestId, final long connectionId, final long correlationId, final int templateId,
        final Partition partition, final int recordCount)
    {
        final Pending request = free.isEmpty() ? new Pending() : free.poll();
        request.connectionId = connectionId;
        request.correlationId = correlationId;
        request.templateId = templateId;
        request.partition = partition;
        request.recordCount = recordCount;
        request.startNs = nanoClock.nanoTime();
        pending.put(requestId, request);
    }

    /**
     * Answer REQUEST_TIMEOUT to what the cluster has not answered within {@link #TIMEOUT_NS}.
     */
    private void timeOut(final long nowNs)
    {
        for (final Long2ObjectHashMap<Pending>.EntryIterator it = pending.entrySet().iterator(); it.hasNext(); )
        {
            it.next();
            final Pending request = it.getValue();
            if (nowNs - request.startNs > TIMEOUT_NS)
            {
                it.remove();
                proxy.sendError(request.connectionId, request.correlationId, request.templateId,
                    ErrorCode.REQUEST_TIMEOUT, "the cluster did not commit the write within " +
                    TimeUnit.NANOSECONDS.toSeconds(TIMEOUT_NS) + " s (a failover?); it may be committed: retry");
                release(request);
            }
        }
    }

    private void release(final Pending request)
    {
        request.partition = null;
        free.add(request);
    }

    /**
     * A group that reads replicated topics is coordinated by the cluster's leader, so its members share one
     * coordinator: on a follower, a heartbeat of such a group is answered NOT_LEADER.
     *
     * @return true after answering NOT_LEADER.
     */
    boolean sentToLeader(final long connectionId, final long correlationId, final int templateId,
        final List<String> subscribedTopics)
    {
        if (null == link || link.leaderMemberId() == link.memberId())
        {
            return false;
        }
        for (final String name : subscribedTopics)
        {
            final Topic topic = topics.get(name);
            if (null != topic && StorageKind.REPLICATED == topic.descriptor.storage())
            {
                return refused(connectionId, correlationId, templateId);
            }
        }
        return false;
    }

    /**
     * On a follower, a produce to a topic this node does not know is answered NOT_LEADER, not
     * UNKNOWN_TOPIC_OR_PARTITION: a follower opens a replicated topic a moment after the leader answered its
     * create, and the client should ask the leader.
     *
     * @return true after answering NOT_LEADER.
     */
    boolean unknownOnFollower(final long connectionId, final long correlationId, final int templateId,
        final DirectBuffer topicName)
    {
        return null != link && link.leaderMemberId() != link.memberId() &&
            null == topics.get(topicName, 0, topicName.capacity()) && refused(connectionId, correlationId, templateId);
    }

    /**
     * @return true after answering a write this node cannot take: not a cluster node, or not its leader.
     */
    private boolean refused(final long connectionId, final long correlationId, final int templateId)
    {
        if (null == link)
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.INVALID_REQUEST,
                "replicated topics need a cluster: this broker has no portask.cluster.members");
            return true;
        }
        if (link.leaderMemberId() != link.memberId())
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.NOT_LEADER,
                "leader=" + link.leaderAddress() + " (node " + link.memberId() + " does not lead the cluster)");
            return true;
        }
        return false;
    }

    private boolean offered(final long connectionId, final long correlationId, final int templateId,
        final boolean offered)
    {
        if (!offered)
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.THROTTLED,
                "the cluster's log is back-pressured or reconnecting; retry");
        }
        return offered;
    }

    /**
     * Duty cycle: apply the committed log, answer what it committed; every {@link #TICK_NS} refresh the cluster
     * counters and time out what it lost.
     *
     * @return work done.
     */
    int doWork()
    {
        if (null == link)
        {
            return 0;
        }
        final long nowNs = nanoClock.nanoTime();
        final int work = link.poll(this, nowNs);
        if (nowNs - nextTickNs >= 0)
        {
            nextTickNs = nowNs + TICK_NS;
            leader.setRelease(link.leaderMemberId());
            logPosition.setRelease(link.logPosition());
            timeOut(nowNs);
        }
        return work;
    }

    /**
     * {@inheritDoc}
     */
    public void onCreateTopic(final String name, final int partitions, final long retentionMs,
        final long retentionBytes)
    {
        if (null == topics.get(name))
        {
            topicOpener.accept(
                new TopicDescriptor(name, partitions, StorageKind.REPLICATED, retentionMs, retentionBytes));
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onAppend(
        final DirectBuffer topicName, final int topicOffset, final int topicLength, final int partitionIndex,
        final long baseOffset, final MutableDirectBuffer batch, final int batchOffset, final int batchLength)
    {
        final Topic topic = topics.get(topicName, topicOffset, topicLength);
        final Partition partition = null == topic ? null : topic.partition(partitionIndex);
        if (null == partition)
        {
            errorHandler.onError(new IllegalStateException("committed append to an unknown replicated partition " +
                topicName.getStringWithoutLengthUtf8(topicOffset, topicLength) + "/" + partitionIndex));
            return;
        }
        final long highWatermark = partition.log.highWatermark();
        if (highWatermark > baseOffset)
        {
            return; // replayed: applied before this node stopped
        }
        if (highWatermark < baseOffset)
        {
            errorHandler.onError(new IllegalStateException(partition.topic.name() + "/" + partitionIndex +
                " journal ends at " + highWatermark + ", before the committed offset " + baseOffset));
            return;
        }
        try
        {
            partition.log.append(batch, batchOffset, batchLength);
        }
        catch (final PartitionLogException ex)
        {
            // a full disk: this node cannot follow the log; it stops applying here and says so
            errorHandler.onError(ex);
            return;
        }
        partition.onAppended(RecordBatch.recordCount(batch, batchOffset), batchLength);
    }

    /**
     * {@inheritDoc}
     */
    public void onCommit(final String group, final String topic, final int partition, final long offset)
    {
        try
        {
            commitApplier.apply(group, topic, partition, offset);
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onSync()
    {
        topics.forEach(topic ->
        {
            if (StorageKind.REPLICATED == topic.descriptor.storage())
            {
                for (final Partition partition : topic.partitions)
                {
                    partition.log.sync();
                }
            }
        });
    }

    /**
     * {@inheritDoc}
     */
    public void onAnswer(final long requestId, final long result)
    {
        final Pending request = pending.remove(requestId);
        if (null == request)
        {
            return; // timed out, or sent at ack level NONE
        }
        answer(request, result);
        release(request);
    }

    private void answer(final Pending request, final long result)
    {
        if (CommitOffsetRequestDecoder.TEMPLATE_ID == request.templateId)
        {
            proxy.sendCommitOffset(request.connectionId, request.correlationId);
            return;
        }
        if (CreateTopicRequestDecoder.TEMPLATE_ID == request.templateId)
        {
            if (ReplicationLink.TOPIC_EXISTS == result)
            {
                proxy.sendError(request.connectionId, request.correlationId, request.templateId,
                    ErrorCode.TOPIC_ALREADY_EXISTS, "the cluster already has this topic");
            }
            else
            {
                proxy.sendCreateTopic(request.connectionId, request.correlationId);
            }
            return;
        }
        final Partition partition = request.partition;
        if (result >= 0)
        {
            proxy.sendProduce(request.connectionId, request.correlationId, partition.index, result,
                request.recordCount);
            counters.produceAckLatency().record(nanoClock.nanoTime() - request.startNs);
            return;
        }
        proxy.sendError(request.connectionId, request.correlationId, request.templateId,
            ErrorCode.OUT_OF_ORDER_SEQUENCE, ReplicationLink.TOO_OLD == result ?
            "a duplicate older than its producer's window on " + partition.topic.name() + "/" + partition.index +
            ": stored before, its offset forgotten" :
            "the batch's sequence skips one on " + partition.topic.name() + "/" + partition.index);
    }

    void close()
    {
        CloseHelper.closeAll(node, leader, logPosition);
    }
}
