package io.portask.client;

import io.portask.protocol.sbe.StorageKind;

import java.util.List;

/**
 * A topic's partitions and their offsets, as DescribeTopic returns them.
 *
 * @param name       topic name.
 * @param storage    where its records live.
 * @param partitions one entry per partition.
 */
public record TopicDescription(String name, StorageKind storage, List<PartitionInfo> partitions)
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
