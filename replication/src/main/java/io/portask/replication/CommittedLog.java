package io.portask.replication;

import org.agrona.DirectBuffer;

/**
 * Where a node's committed cluster log goes, in log order: the partition journals fetches read. In a broker, its
 * core applies them ({@link BrokerReplication}); in the module's own tests, {@link LocalJournals} does.
 * <p>
 * Replay after a restart hands over entries again from the last snapshot on: an append whose offset the journal
 * already holds was applied before the node stopped and must be skipped, so every entry is applied once.
 * <p>
 * Threading: the service container's thread.
 */
public interface CommittedLog extends AutoCloseable
{
    /**
     * A replicated topic the cluster created (or, on replay, created before); open it if it is not open.
     *
     * @param name           the topic.
     * @param partitions     its partition count.
     * @param retentionMs    its retention by time, or the broker default marker.
     * @param retentionBytes its retention by size, or the broker default marker.
     */
    void onCreateTopic(String name, int partitions, long retentionMs, long retentionBytes);

    /**
     * A committed batch at its base offset (already written into the batch's base offset field is not required:
     * the journal assigns it and must come to the same).
     *
     * @param topic       holding the topic name, UTF-8.
     * @param topicOffset where the name starts.
     * @param topicLength its length.
     * @param partition   the partition.
     * @param baseOffset  the offset the log's order gives the batch's first record.
     * @param batch       holding the batch.
     * @param batchOffset where it starts.
     * @param batchLength its length.
     */
    void onAppend(
        DirectBuffer topic, int topicOffset, int topicLength, int partition, long baseOffset,
        DirectBuffer batch, int batchOffset, int batchLength);

    /**
     * A consumer group's committed offset on a replicated topic (kept by every node, so a new leader has it).
     *
     * @param group     the group.
     * @param topic     the topic.
     * @param partition the partition.
     * @param offset    the group's next offset there.
     */
    default void onCommit(final String group, final String topic, final int partition, final long offset)
    {
    }

    /**
     * The cluster log position after the entry just handed over (or answered without an effect).
     *
     * @param position the log position.
     */
    default void onLogPosition(final long position)
    {
    }

    /**
     * Before a snapshot: return once everything handed over is applied and on disk, so the snapshot never names an
     * offset the journal could lose.
     */
    void sync();

    /**
     * Release what the log holds; the node stopped.
     */
    void close();
}
