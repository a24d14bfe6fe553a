package io.portask.replication;

import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import io.portask.protocol.CounterIds;
import io.portask.protocol.RecordBatch;
import io.portask.storage.ChronicleJournalLog;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.Object2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clustered service of a replicated broker: every node applies the cluster's committed log, in order, to its
 * own partition journals, so the journals of all nodes hold the same batches at the same offsets. An append is
 * answered (by the leader; a follower's answers go nowhere) with its base offset once the cluster committed it:
 * a majority of the nodes have it in their logs.
 * <p>
 * An append from an idempotent producer (id and sequence) is applied once however often it is sent: a duplicate
 * is answered with its first offset ({@link ProducerWindows}), so a client may send again what a failover left
 * unanswered.
 * <p>
 * Replay after a restart is exactly once: offsets are assigned by the order of the log, so a node knows each
 * partition's next offset from its snapshot and the entries replayed after it, and an entry whose offset its
 * journal already holds (applied before the node stopped) is not appended again.
 * <p>
 * Threading: the service container's thread, but {@link #highWatermark} from any.
 */
final class ReplicatedJournals implements ClusteredService
{
    /** The label of a partition's {@link CounterIds#REPLICATED_APPLIED} counter: this, then topic/partition. */
    static final String LABEL_PREFIX = "replicated applied: ";
    private static final long MISSING = -1;

    private final File journalsDir;
    private final int maxBatchLength;
    private final Map<String, ChronicleJournalLog> journals = new ConcurrentHashMap<>();
    private final Map<String, Counter> applied = new ConcurrentHashMap<>();
    private final Object2LongHashMap<String> nextOffsets = new Object2LongHashMap<>(MISSING);
    private final Map<String, ProducerWindows> windows = new HashMap<>();
    private final ExpandableDirectByteBuffer batch = new ExpandableDirectByteBuffer(64 * 1024);
    private final UnsafeBuffer answer = new UnsafeBuffer(new byte[ReplicatedAppend.ANSWER_LENGTH]);
    private Cluster cluster;

    /**
     * @param journalsDir    where this node's partition journals live (one folder per topic-partition).
     * @param maxBatchLength the largest batch an append may carry.
     */
    ReplicatedJournals(final File journalsDir, final int maxBatchLength)
    {
        this.journalsDir = journalsDir;
        this.maxBatchLength = maxBatchLength;
    }

    /**
     * {@inheritDoc}
     */
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        if (null != snapshotImage)
        {
            Snapshots.load(snapshotImage, cluster.idleStrategy(), nextOffsets, windows);
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
        final String key = ReplicatedAppend.topic(buffer, offset) + '/' + ReplicatedAppend.partition(buffer, offset);
        final int batchOffset = ReplicatedAppend.batchOffset(buffer, offset);
        final long producerId = ReplicatedAppend.producerId(buffer, offset);
        final long sequence = ReplicatedAppend.sequence(buffer, offset);
        final ProducerWindows producers = windows.computeIfAbsent(key, k -> new ProducerWindows());
        long baseOffset = producerId < 0 ? -1 : producers.check(producerId, sequence);
        if (-1 == baseOffset)
        {
            baseOffset = apply(key, buffer, batchOffset, offset + length - batchOffset);
            if (producerId >= 0)
            {
                producers.applied(producerId, sequence, baseOffset);
            }
        }
        if (null != session)
        {
            answer.putLong(0, ReplicatedAppend.correlationId(buffer, offset), ReplicatedAppend.ORDER);
            answer.putLong(8, baseOffset, ReplicatedAppend.ORDER);
            while (session.offer(answer, 0, ReplicatedAppend.ANSWER_LENGTH) < 0)
            {
                cluster.idleStrategy().idle();
            }
        }
    }

    private long apply(final String key, final DirectBuffer buffer, final int batchOffset, final int batchLength)
    {
        final ChronicleJournalLog journal = journal(key);
        final long known = nextOffsets.getValue(key);
        final long next = MISSING == known ? journal.logStartOffset() : known;
        final long baseOffset;
        if (journal.highWatermark() > next)
        {
            baseOffset = next; // replayed: this node applied it before it stopped
        }
        else
        {
            batch.putBytes(0, buffer, batchOffset, batchLength);
            baseOffset = journal.append(batch, 0, batchLength);
        }
        final long after = baseOffset + RecordBatch.recordCount(buffer, batchOffset);
        nextOffsets.put(key, after);
        applied.get(key).setRelease(after);
        return baseOffset;
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
     * @param key topic/partition.
     * @return this node's journal of it, opened on first use.
     */
    private ChronicleJournalLog journal(final String key)
    {
        ChronicleJournalLog journal = journals.get(key);
        if (null == journal)
        {
            journal = ChronicleJournalLog.open(new File(journalsDir, key.replace('/', '-')), key, maxBatchLength, null);
            final Counter counter = cluster.aeron().addCounter(CounterIds.REPLICATED_APPLIED, LABEL_PREFIX + key);
            counter.setRelease(journal.highWatermark());
            applied.put(key, counter);
            journals.put(key, journal);
        }
        return journal;
    }

    /**
     * {@inheritDoc}
     */
    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        journals.values().forEach(ChronicleJournalLog::sync);
        Snapshots.take(snapshotPublication, cluster.idleStrategy(), nextOffsets, windows);
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
     * Close the journals; the node does it once the container's thread has stopped.
     */
    void close()
    {
        journals.values().forEach(CloseHelper::quietClose);
        journals.clear();
        applied.values().forEach(CloseHelper::quietClose);
        applied.clear();
    }
}
