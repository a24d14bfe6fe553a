package io.portask.core;

import io.portask.storage.spi.TopicDescriptor;

import java.nio.charset.StandardCharsets;

/**
 * A topic as the core agent sees it. Owned by the core agent.
 */
final class Topic
{
    /** Replaced (same name, partitions and storage) when the topic's retention is altered. */
    TopicDescriptor descriptor;
    final byte[] nameBytes;
    final Partition[] partitions;

    Topic(final TopicDescriptor descriptor)
    {
        this.descriptor = descriptor;
        this.nameBytes = descriptor.name().getBytes(StandardCharsets.UTF_8);
        this.partitions = new Partition[descriptor.partitions()];
    }

    /**
     * @param brokerDefault the broker's portask.retention.ms.
     * @return the retention by time in effect.
     */
    long retentionMs(final long brokerDefault)
    {
        return TopicDescriptor.BROKER_DEFAULT == descriptor.retentionMs() ? brokerDefault : descriptor.retentionMs();
    }

    /**
     * @param brokerDefault the broker's portask.retention.bytes.
     * @return the retention by size in effect.
     */
    long retentionBytes(final long brokerDefault)
    {
        return TopicDescriptor.BROKER_DEFAULT == descriptor.retentionBytes() ?
            brokerDefault : descriptor.retentionBytes();
    }

    String name()
    {
        return descriptor.name();
    }

    Partition partition(final int index)
    {
        return index >= 0 && index < partitions.length ? partitions[index] : null;
    }
}
