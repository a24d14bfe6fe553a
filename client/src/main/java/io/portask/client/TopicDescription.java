package io.portask.client;

import io.portask.protocol.sbe.StorageKind;

import java.util.List;

/**
 * A topic's partitions and their offsets, as DescribeTopic returns them.
 *
 * @param name       topic name.
 * @param storage    where its records live.
 * @param partitions one entry per partition.
 * @param retention  the retention in effect (the topic's own or the broker's default, resolved).
 */
public record TopicDescription(String name, StorageKind storage, List<PartitionInfo> partitions, Retention retention)
{
    /**
     * @param partition      index.
     * @param logStartOffset first offset held.
     * @param highWatermark  next offset to be written.
     */
    public record PartitionInfo(int partition, long logStartOffset, long highWatermark)
    {
    }
}
