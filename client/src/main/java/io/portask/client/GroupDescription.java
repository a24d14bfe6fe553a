package io.portask.client;

import java.util.List;

/**
 * A consumer group as DescribeGroup returns it: its members now, and every partition it has a committed offset on
 * or a member owns, with its lag.
 *
 * @param name       group name.
 * @param members    members, with their epochs.
 * @param partitions partitions with owner, committed offset, high watermark and lag.
 */
public record GroupDescription(String name, List<Member> members, List<PartitionLag> partitions)
{
    /**
     * @param memberId    the member's id.
     * @param memberEpoch its epoch (grows with each change of its assignment).
     */
    public record Member(String memberId, int memberEpoch)
    {
    }

    /**
     * @param topic           topic.
     * @param partition       partition.
     * @param owner           the member that owns it, "" for none.
     * @param committedOffset the group's committed offset, -1 for none.
     * @param highWatermark   the partition's high watermark.
     * @param lag             records the group has not consumed: high watermark - committed (or - log start).
     */
    public record PartitionLag(String topic, int partition, String owner, long committedOffset, long highWatermark,
        long lag)
    {
    }

    /**
     * @return the group's total lag.
     */
    public long totalLag()
    {
        return partitions.stream().mapToLong(PartitionLag::lag).sum();
    }
}
