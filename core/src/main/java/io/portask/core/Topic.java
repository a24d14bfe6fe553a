package io.portask.core;

import io.portask.storage.spi.TopicDescriptor;

import java.nio.charset.StandardCharsets;

/**
 * A topic as the core agent sees it. Owned by the core agent.
 */
final class Topic
{
    final TopicDescriptor descriptor;
    final byte[] nameBytes;
    final Partition[] partitions;

    Topic(final TopicDescriptor descriptor)
    {
        this.descriptor = descriptor;
        this.nameBytes = descriptor.name().getBytes(StandardCharsets.UTF_8);
        this.partitions = new Partition[descriptor.partitions()];
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
