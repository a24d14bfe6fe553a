package io.portask.storage.spi;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * Told by the core agent, on its thread, when partitions appear and topics go away: how agents that follow the
 * logs from other threads (the Dragonfly write-behind) learn what to follow. Implementations hand the news to
 * their own thread and return at once.
 */
public interface PartitionListener
{
    /** Listens to nothing. */
    PartitionListener NONE = new PartitionListener()
    {
    };

    /**
     * A partition was opened, at broker start or when its topic was created. No record has been appended since.
     *
     * @param topic         its topic.
     * @param partition     its index.
     * @param log           its log; only for opening readers of the listener's own, never for reading directly.
     * @param highWatermark the partition's high watermark, kept current by the core.
     * @param bytesAppended bytes of batches appended since this open, kept current by the core.
     */
    default void onPartitionOpened(
        final TopicDescriptor topic,
        final int partition,
        final PartitionLog log,
        final AtomicCounter highWatermark,
        final AtomicCounter bytesAppended)
    {
    }

    /**
     * A topic was deleted; its logs are closed.
     *
     * @param topic the topic.
     */
    default void onTopicDeleted(final TopicDescriptor topic)
    {
    }
}
