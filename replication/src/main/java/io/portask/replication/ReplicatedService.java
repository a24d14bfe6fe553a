package io.portask.replication;

import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import io.portask.protocol.CounterIds;
import io.portask.protocol.RecordBatch;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Object2LongHashMap;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clustered service of a replicated broker: every node applies the cluster's committed log, in order, to its
 * own partition journals (through a {@link CommittedLog}), so the journals of all nodes hold the same batches at
 * the same offsets. An append or topic create is answered (by the leader; a follower's answers go nowhere) once
 * the cluster committed it: a majority of the nodes have it in their logs.
 * <p>
 * Consumer groups' commits of offsets on replicated topics travel the log too, so every node (and a new leader)
 * has them; the nodes keep them in their offsets stores.
 * <p>
 * The service's state is what decides an entry's effect, so it is the same on every node: each partition's next
 * offset, the idempotent producers' windows ({@link ProducerWindows}: a duplicate is answered with its first
 * offset, so a client may send again what a failover left unanswered), and the replicated topics. It is in every
 * snapshot ({@link Snapshots}); replay after a restart is exactly once because offsets come from the log's order
 * and the committed log skips an append its journal already holds.
 * <p>
 * Threading: the service container's thread, but {@link #highWatermark} from any.
 */
final class ReplicatedService implements ClusteredService
{
    /** The label of a partition's {@link CounterIds#REPLICATED_APPLIED} counter: this, then topic/partition. */
    static final String LABEL_PREFIX = "replicated applied: ";
    private static final long MISSING = -1;
    private static final int MAX_ANSWER_ATTEMPTS = 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedService.class);

    private final CommittedLog committed;
    private final Map<String, Counter> applied = new ConcurrentHashMap<>();
    private final Object2LongHashMap<String> nextOffsets = new Object2LongHashMap<>(MISSING);
    private final Map<String, ProducerWindows> windows = new HashMap<>();
    private final Map<String, long[]> topics = new HashMap<>();
    private final PartitionKeys keys = new PartitionKeys();
    private final UnsafeBuffer answer = new UnsafeBuffer(new byte[ReplicatedAppend.ANSWER_LENGTH]);
    private Cluster cluster;

    /**
     * @param committed where committed entries go.
     */
    ReplicatedService(final CommittedLog committed)
    {
        this.committed = committed;
    }

    /**
     * {@inheritDoc}
     */
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        if (null != snapshotImage)
        {
            Snapshots.load(snapshotImage, cluster.idleStrategy(), nextOffsets, windows, topics);
            topics.forEach((name, topic) -> committed.onCreateTopic(name, (int)topic[0], topic[1], topic[2]));
            LOG.info("replicated state loaded from a snapshot: {} topics, {} partitions", topics.size(),
                nextOffsets.size());
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onSessionMessage(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        final long result = switch (ReplicatedAppend.type(buffer, offset))
        {
            case ReplicatedAppend.CREATE_TOPIC -> createTopic(buffer, offset);
            case ReplicatedAppend.COMMIT -> commit(buffer, offset);
            default -> append(buffer, offset, length);
        };
        committed.onLogPosition(header.position());
        if (null != session)
        {
            answer.putLong(0, ReplicatedAppend.correlationId(buffer, offset), ReplicatedAppend.ORDER);
            answer.putLong(8, result, ReplicatedAppend.ORDER);
            answer(session);
        }
    }

    /**
     * Send the answer, waiting a little while the session is back-pressured; a session that is gone, or stays
     * back-pressured (a broker that stopped reading), goes without: its writer times the request out and an
     * idempotent resend is answered with the first offset. The log is never held up by one client.
     */
    private void answer(final ClientSession session)
    {
        final IdleStrategy idle = cluster.idleStrategy();
        idle.reset();
        for (int attempt = 0; attempt < MAX_ANSWER_ATTEMPTS; attempt++)
        {
            final long result = session.offer(answer, 0, ReplicatedAppend.ANSWER_LENGTH);
            if (result > 0 || (Publication.BACK_PRESSURED != result && Publication.ADMIN_ACTION != result))
            {
                return;
            }
            idle.idle();
        }
    }

    private long commit(final DirectBuffer buffer, final int offset)
    {
        committed.onCommit(ReplicatedAppend.commitGroup(buffer, offset), ReplicatedAppend.commitTopic(buffer, offset),
            ReplicatedAppend.commitPartition(buffer, offset), ReplicatedAppend.committedOffset(buffer, offset));
        return 0;
    }

    private long createTopic(final DirectBuffer buffer, final int offset)
    {
        final String name = ReplicatedAppend.createdTopic(buffer, offset);
        if (topics.containsKey(name))
        {
            return ReplicatedAppend.TOPIC_EXISTS;
        }
        final long[] topic = {
            ReplicatedAppend.partitions(buffer, offset),
            ReplicatedAppend.retentionMs(buffer, offset),
            ReplicatedAppend.retentionBytes(buffer, offset) };
        topics.put(name, topic);
        committed.onCreateTopic(name, (int)topic[0], topic[1], topic[2]);
        return 0;
    }

    private long append(final DirectBuffer buffer, final int offset, final int length)
    {
        final String key = keys.key(buffer, ReplicatedAppend.topicOffset(buffer, offset),
            ReplicatedAppend.topicLength(buffer, offset), ReplicatedAppend.partition(buffer, offset));
        final int batchOffset = ReplicatedAppend.batchOffset(buffer, offset);
        final int records = RecordBatch.recordCount(buffer, batchOffset);
        final long producerId = ReplicatedAppend.producerId(buffer, offset);
        final long sequence = ReplicatedAppend.sequence(buffer, offset);
        final ProducerWindows producers =
            producerId < 0 ? null : windows.computeIfAbsent(key, k -> new ProducerWindows());
        final long duplicate = null == producers ? -1 : producers.check(producerId, sequence);
        if (-1 != duplicate)
        {
            return duplicate;
        }
        final long known = nextOffsets.getValue(key);
        final long baseOffset = MISSING == known ? 0 : known;
        committed.onAppend(buffer, ReplicatedAppend.topicOffset(buffer, offset),
            ReplicatedAppend.topicLength(buffer, offset), ReplicatedAppend.partition(buffer, offset), baseOffset,
            buffer, batchOffset, offset + length - batchOffset);
        nextOffsets.put(key, baseOffset + records);
        appliedCounter(key).setRelease(baseOffset + records);
        if (null != producers)
        {
            producers.applied(producerId, sequence, records, baseOffset);
        }
        return baseOffset;
    }

    private Counter appliedCounter(final String key)
    {
        Counter counter = applied.get(key);
        if (null == counter)
        {
            counter = cluster.aeron().addCounter(CounterIds.REPLICATED_APPLIED, LABEL_PREFIX + key);
            applied.put(key, counter);
        }
        return counter;
    }

    /**
     * @param key topic/partition.
     * @return the offset after the last record this node applied to it (any thread), or -1 before it has any.
     */
    long highWatermark(final String key)
    {
        final Counter next = applied.get(key);
        return null == next ? -1 : next.getAcquire();
    }

    /**
     * {@inheritDoc}
     */
    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        committed.sync();
        Snapshots.take(snapshotPublication, cluster.idleStrategy(), nextOffsets, windows, topics);
        LOG.info("replicated state snapshot taken at log position {}", cluster.logPosition());
    }

    /**
     * {@inheritDoc}
     */
    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
    }

    /**
     * {@inheritDoc}
     */
    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
    }

    /**
     * {@inheritDoc}
     */
    public void onTimerEvent(final long correlationId, final long timestamp)
    {
    }

    /**
     * {@inheritDoc}
     */
    public void onRoleChange(final Cluster.Role newRole)
    {
    }

    /**
     * {@inheritDoc}
     */
    public void onTerminate(final Cluster cluster)
    {
        close();
    }

    /**
     * Close the committed log and the counters; the node does it once the container's thread has stopped.
     */
    void close()
    {
        CloseHelper.quietClose(committed);
        applied.values().forEach(CloseHelper::quietClose);
        applied.clear();
    }
}
