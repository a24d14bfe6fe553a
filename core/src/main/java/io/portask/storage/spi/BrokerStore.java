package io.portask.storage.spi;

import java.util.List;

/**
 * Durable broker state: topic definitions, partition logs and committed consumer offsets. The core agent
 * is its only caller; nothing here is thread safe. Every mutating call is durable when it returns normally.
 */
public interface BrokerStore extends AutoCloseable
{
    /**
     * Topics recorded on disk, as found at start.
     *
     * @return the topics, in no particular order.
     */
    List<TopicDescriptor> loadTopics();

    /**
     * Record a new topic durably, creating whatever its partitions need.
     *
     * @param topic to create.
     */
    void createTopic(TopicDescriptor topic);

    /**
     * Durably replace a topic's definition (its retention; name, partitions and storage stay).
     *
     * @param topic the new definition.
     */
    void alterTopic(TopicDescriptor topic);

    /**
     * Open (or create) one partition's log.
     *
     * @param topic     it belongs to.
     * @param partition index.
     * @return the open log, recovered from disk for journal topics.
     */
    PartitionLog openPartition(TopicDescriptor topic, int partition);

    /**
     * Remove a topic and all its data, after its partition logs were closed. Its committed offsets go too.
     *
     * @param topic to delete.
     */
    void deleteTopic(TopicDescriptor topic);

    /**
     * Hand out idempotent producer ids, never the same twice, across restarts too.
     *
     * @return a producer id, positive.
     */
    long nextProducerId();

    /**
     * Durably record a consumer group's committed offset.
     *
     * @param group     consumer group.
     * @param topic     topic name.
     * @param partition partition index.
     * @param offset    next offset the group will read.
     */
    void commitOffset(String group, String topic, int partition, long offset);

    /**
     * Durably record a consumer group member's state, replacing any before it.
     *
     * @param group    consumer group.
     * @param memberId the member.
     * @param state    its state as the group coordinator encodes it; null when it left the group.
     */
    void storeGroupMember(String group, String memberId, byte[] state);

    /**
     * Durably forget a consumer group: its committed offsets and members.
     *
     * @param group consumer group.
     */
    void deleteGroup(String group);

    /**
     * Replay the latest committed offset of every group, topic and partition, and every group member's latest
     * state.
     *
     * @param offsets receives each committed offset.
     * @param members receives each member.
     */
    void loadGroups(CommittedOffsetConsumer offsets, GroupMemberConsumer members);

    /**
     * Receives committed offsets on replay.
     */
    @FunctionalInterface
    interface CommittedOffsetConsumer
    {
        /**
         * @param group     consumer group.
         * @param topic     topic name.
         * @param partition partition index.
         * @param offset    committed offset.
         */
        void accept(String group, String topic, int partition, long offset);
    }

    /**
     * Receives group members on replay.
     */
    @FunctionalInterface
    interface GroupMemberConsumer
    {
        /**
         * @param group    consumer group.
         * @param memberId the member.
         * @param state    its state as stored.
         */
        void accept(String group, String memberId, byte[] state);
    }

    /**
     * Close every file.
     */
    void close();
}
