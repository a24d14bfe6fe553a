package io.portask.client;

/**
 * A partition of a topic.
 *
 * @param topic     topic name.
 * @param partition partition index.
 */
public record TopicPartition(String topic, int partition)
{
    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return topic + "/" + partition;
    }
}
