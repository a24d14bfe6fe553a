package io.portask.core;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The core's side of a replicated broker (a cluster node, docs/replication.md): writes to replicated topics go to
 * the cluster's log instead of a journal, and the committed log comes back, in order, to be applied to this node's
 * journals. Implemented by the replication module; absent (null) on a broker that is not part of a cluster.
 * <p>
 * Threading: every method on the core agent's thread; {@link Applier} is called back from {@link #poll} only.
 */
public interface ReplicationLink
{
    /** A request answered by the cluster, as {@link Applier#onAnswer} gives it: a sequence skips one. */
    long OUT_OF_ORDER = -2;
    /** A duplicate older than the producer's window: stored once, its offset forgotten. */
    long TOO_OLD = -3;
    /** A create of a topic the cluster has. */
    long TOPIC_EXISTS = -4;

    /**
     * @return this node's member id.
     */
    int memberId();

    /**
     * @return the member id of the cluster's leader, this node's when it leads and takes writes; -1 while no leader
     * is known (an election, or the node's client session connecting).
     */
    int leaderMemberId();

    /**
     * @return the cluster log position this node's service has applied up to (it hands entries to the core as it
     * goes), or -1 before any.
     */
    long logPosition();

    /**
     * @return the leader's client address (host:port) for a NOT_LEADER answer; empty while none is known.
     */
    String leaderAddress();

    /**
     * Send an append to the cluster's log; answered by {@link Applier#onAnswer} with its base offset once committed.
     * The offer methods are called only after {@link #leaderMemberId()} named this node.
     *
     * @param requestId  answered with it.
     * @param topic      the replicated topic's name, UTF-8.
     * @param partition  its partition.
     * @param producerId the idempotent producer, or -1.
     * @param sequence   the batch's base sequence (idempotent producers).
     * @param batch      the validated batch.
     * @param offset     where it starts.
     * @param length     its length.
     * @return false when the cluster cannot take it now (not connected, back-pressured).
     */
    boolean offerAppend(long requestId, byte[] topic, int partition, long producerId, long sequence,
        DirectBuffer batch, int offset, int length);

    /**
     * Send the creation of a replicated topic to the cluster's log; every node opens it when committed.
     *
     * @return false when the cluster cannot take it now.
     */
    boolean offerCreateTopic(long requestId, String topic, int partitions, long retentionMs, long retentionBytes);

    /**
     * Send a consumer group's commit of an offset on a replicated topic to the cluster's log; every node records it.
     *
     * @return false when the cluster cannot take it now.
     */
    boolean offerCommit(long requestId, String group, String topic, int partition, long offset);

    /**
     * Apply committed entries and deliver answers.
     *
     * @param applier receives them.
     * @param nowNs   the core's clock, for the link's own timers (keep-alives, reconnects).
     * @return work done.
     */
    int poll(Applier applier, long nowNs);

    /**
     * What the committed log does to this node, in log order.
     */
    interface Applier
    {
        /**
         * A replicated topic committed (or replayed): open it unless it is open.
         */
        void onCreateTopic(String name, int partitions, long retentionMs, long retentionBytes);

        /**
         * A committed batch: append it at {@code baseOffset}, or skip it when the journal holds it (a replay).
         */
        void onAppend(DirectBuffer topic, int topicOffset, int topicLength, int partition, long baseOffset,
            MutableDirectBuffer batch, int batchOffset, int batchLength);

        /**
         * A group's committed offset on a replicated partition: record it as a commit made here would be.
         */
        void onCommit(String group, String topic, int partition, long offset);

        /**
         * Make every replicated journal durable (a snapshot follows).
         */
        void onSync();

        /**
         * A request this node sent was committed.
         *
         * @param requestId as offered.
         * @param result    the base offset (0 for a create), or {@link #OUT_OF_ORDER}, {@link #TOO_OLD},
         *                  {@link #TOPIC_EXISTS}.
         */
        void onAnswer(long requestId, long result);
    }
}
