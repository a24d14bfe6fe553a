package io.portask.core;

import io.portask.core.acl.Acl;
import io.portask.protocol.CounterIds;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.CommitOffsetRequestDecoder;
import io.portask.protocol.sbe.DeleteGroupRequestDecoder;
import io.portask.protocol.sbe.DescribeGroupRequestDecoder;
import io.portask.protocol.sbe.FetchCommittedOffsetRequestDecoder;
import io.portask.protocol.sbe.GroupHeartbeatRequestDecoder;
import io.portask.storage.spi.BrokerStore;
import io.portask.storage.spi.PartitionLogException;
import org.agrona.DirectBuffer;
import org.agrona.collections.Object2IntHashMap;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Consumer groups' committed offsets. A group name is interned once to an int id; each partition holds its
 * groups' offsets keyed by that id ({@link Partition#committedOffsets}), so a lookup builds no key and a deleted
 * topic takes its offsets with it.
 * <p>
 * Threading: the core agent's thread only.
 */
final class GroupOffsetHandler
{
    static final int MAX_GROUP_NAME = 255;
    private static final long LAG_UPDATE_INTERVAL_MS = 1000;

    private final TopicLookup lookup;
    private final ResponseProxy proxy;
    private final BrokerStore store;
    private final Object2IntHashMap<String> groupIds = new Object2IntHashMap<>(-1);
    private final GroupCoordinator coordinator;
    private final List<String> groupNames = new ArrayList<>();
    private final EpochClock clock;
    private long nextLagUpdateMs;

    private final ReplicatedWrites replicated;

    GroupOffsetHandler(
        final TopicLookup lookup, final ResponseProxy proxy, final BrokerStore store, final EpochClock clock,
        final ReplicatedWrites replicated)
    {
        this.replicated = replicated;
        this.lookup = lookup;
        this.proxy = proxy;
        this.store = store;
        this.coordinator = new GroupCoordinator(lookup.topics(), clock, store::storeGroupMember);
        this.clock = clock;
    }

    /**
     * A member's heartbeat: join, stay, or leave; answered with its assignment.
     */
    void onGroupHeartbeat(final long connectionId, final GroupHeartbeatRequestDecoder decoder)
    {
        final long correlationId = decoder.correlationId();
        final int memberEpoch = decoder.memberEpoch();
        final int sessionTimeoutMs = decoder.sessionTimeoutMs();
        final List<String> subscribed = new ArrayList<>();
        for (final GroupHeartbeatRequestDecoder.SubscribedTopicsDecoder topic : decoder.subscribedTopics())
        {
            subscribed.add(topic.topic());
        }
        final Map<String, List<Integer>> owned = new HashMap<>();
        for (final GroupHeartbeatRequestDecoder.OwnedPartitionsDecoder partition : decoder.ownedPartitions())
        {
            final int index = partition.partition();
            owned.computeIfAbsent(partition.topic(), topic -> new ArrayList<>()).add(index);
        }
        final String group = decoder.group();
        final String memberId = decoder.memberId();
        final String instanceId = decoder.instanceId();
        final String assignor = decoder.assignor();
        final int templateId = GroupHeartbeatRequestDecoder.TEMPLATE_ID;
        if (!checkGroup(connectionId, correlationId, templateId, group, Acl.Operation.CONSUME) ||
            replicated.sentToLeader(connectionId, correlationId, templateId, subscribed))
        {
            return;
        }
        final GroupCoordinator.Answer answer;
        try
        {
            answer = coordinator.heartbeat(new GroupCoordinator.Heartbeat(
                group, memberId, instanceId, memberEpoch, sessionTimeoutMs, subscribed, owned, assignor));
        }
        catch (final PartitionLogException ex)
        {
            lookup.onStorageError(connectionId, correlationId, templateId, ex);
            return;
        }
        if (ErrorCode.NONE != answer.error())
        {
            proxy.sendError(connectionId, correlationId, GroupHeartbeatRequestDecoder.TEMPLATE_ID, answer.error(),
                answer.message());
            return;
        }
        proxy.sendGroupHeartbeat(connectionId, correlationId, answer);
    }

    /**
     * Duty cycle: members past their session timeout leave their groups.
     *
     * @return members removed.
     */
    int doWork()
    {
        final long nowMs = clock.time();
        if (nowMs >= nextLagUpdateMs)
        {
            nextLagUpdateMs = nowMs + LAG_UPDATE_INTERVAL_MS;
            lookup.topics().forEach(this::updateLag);
        }
        return coordinator.doWork();
    }

    /**
     * Keep each group's lag counter on each partition it committed on: high watermark minus committed offset.
     */
    private void updateLag(final Topic topic)
    {
        for (final Partition partition : topic.partitions)
        {
            final long end = partition.log.highWatermark();
            partition.committedOffsets.forEachLong((groupId, committed) ->
            {
                AtomicCounter lag = partition.groupLag.get((int)groupId);
                if (null == lag)
                {
                    final String group = groupNames.get((int)groupId);
                    lag = partition.counterFactory.newCounter(CounterIds.GROUP_LAG, topic.name(), partition.index,
                        group, "group lag: " + group + " " + topic.name() + "/" + partition.index);
                    partition.groupLag.put((int)groupId, lag);
                }
                lag.setRelease(Math.max(0, end - committed));
            });
        }
    }

    GroupCoordinator coordinator()
    {
        return coordinator;
    }

    /** One partition of a described group. */
    record PartitionRow(String topic, int partition, long committedOffset, long highWatermark, long lag, String owner)
    {
    }

    void onListGroups(final long connectionId, final long correlationId)
    {
        final Map<String, Integer> groups = new TreeMap<>();
        groupIds.keySet().forEach(name -> groups.put(name, 0));
        coordinator.groupsWithMembers().forEach(name -> groups.put(name, coordinator.describe(name).size()));
        // only the groups the connection may describe, as Kafka lists them
        groups.keySet().removeIf(name ->
            !lookup.authorizer().allowed(connectionId, Acl.Operation.DESCRIBE, Acl.ResourceType.GROUP, name));
        proxy.sendListGroups(connectionId, correlationId, groups);
    }

    /**
     * Members with their epochs, and every partition the group has a committed offset on or a member owns, with
     * the lag: high watermark minus the committed offset (or minus the log start with none).
     */
    void onDescribeGroup(final long connectionId, final long correlationId, final String group)
    {
        if (!lookup.authorize(connectionId, correlationId, DescribeGroupRequestDecoder.TEMPLATE_ID,
            Acl.Operation.DESCRIBE, Acl.ResourceType.GROUP, group))
        {
            return;
        }
        final Map<String, Map<String, List<Integer>>> members = coordinator.describe(group);
        final Map<String, String> owners = new HashMap<>();
        members.forEach((member, assignment) -> assignment.forEach((topic, partitions) ->
            partitions.forEach(partition -> owners.put(topic + "/" + partition, member))));
        final int groupId = groupIds.getValue(group);
        final List<PartitionRow> rows = new ArrayList<>();
        for (final Topic topic : lookup.topics().toSortedArray())
        {
            for (final Partition partition : topic.partitions)
            {
                final long committed = -1 == groupId ? -1 : partition.committedOffsets.get(groupId);
                final String owner = owners.getOrDefault(topic.name() + "/" + partition.index, "");
                if (committed >= 0 || !owner.isEmpty())
                {
                    final long end = partition.log.highWatermark();
                    rows.add(new PartitionRow(topic.name(), partition.index, committed, end,
                        end - (committed >= 0 ? committed : partition.log.logStartOffset()), owner));
                }
            }
        }
        final Map<String, Integer> epochs = new TreeMap<>();
        members.keySet().forEach(member -> epochs.put(member, coordinator.memberEpoch(group, member)));
        proxy.sendDescribeGroup(connectionId, correlationId, group, epochs, rows);
    }

    /**
     * Delete an empty group: its committed offsets everywhere and its lag counters.
     */
    void onDeleteGroup(final long connectionId, final long correlationId, final String group)
    {
        final int templateId = DeleteGroupRequestDecoder.TEMPLATE_ID;
        if (!checkGroup(connectionId, correlationId, templateId, group, Acl.Operation.DELETE))
        {
            return;
        }
        final int groupId = groupIds.getValue(group);
        if (-1 == groupId && coordinator.describe(group).isEmpty())
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.INVALID_REQUEST,
                "no group " + group + ": it has no members and no committed offsets");
            return;
        }
        final GroupCoordinator.Answer refused = coordinator.deleteGroup(group);
        if (null != refused)
        {
            proxy.sendError(connectionId, correlationId, templateId, refused.error(), refused.message());
            return;
        }
        try
        {
            store.deleteGroup(group);
        }
        catch (final PartitionLogException ex)
        {
            lookup.onStorageError(connectionId, correlationId, templateId, ex);
            return;
        }
        final int[] deleted = new int[1];
        lookup.topics().forEach(topic ->
        {
            for (final Partition partition : topic.partitions)
            {
                if (partition.committedOffsets.containsKey(groupId))
                {
                    partition.committedOffsets.remove(groupId);
                    deleted[0]++;
                }
                final AtomicCounter lag = partition.groupLag.remove(groupId);
                if (null != lag)
                {
                    lag.close();
                }
            }
        });
        groupIds.removeKey(group); // a commit later makes it anew, under a new id
        proxy.sendDeleteGroup(connectionId, correlationId, deleted[0]);
    }

    /**
     * Load the offsets the store holds, for the topics that exist, and the groups' members.
     */
    void recover()
    {
        store.loadGroups((group, topic, partitionIndex, offset) ->
        {
            final Topic found = lookup.topics().get(topic);
            final Partition partition = null == found ? null : found.partition(partitionIndex);
            if (null != partition)
            {
                partition.committedOffsets.put(groupId(group), offset);
            }
        }, coordinator::restore);
    }

    void onCommitOffset(
        final long connectionId,
        final long correlationId,
        final String group,
        final DirectBuffer topicName,
        final int partitionIndex,
        final long offset,
        final String memberId,
        final int memberEpoch)
    {
        final int templateId = CommitOffsetRequestDecoder.TEMPLATE_ID;
        if (!checkGroup(connectionId, correlationId, templateId, group, Acl.Operation.CONSUME))
        {
            return;
        }
        final GroupCoordinator.Answer fenced = coordinator.checkCommit(group, memberId, memberEpoch);
        if (null != fenced)
        {
            proxy.sendError(connectionId, correlationId, templateId, fenced.error(), fenced.message());
            return;
        }
        final Partition partition = lookup.findPartition(
            connectionId, correlationId, templateId, topicName, partitionIndex, Acl.Operation.CONSUME);
        if (null == partition || !lookup.checkOffset(connectionId, correlationId, templateId, partition, offset))
        {
            return;
        }
        if (ReplicatedWrites.isReplicated(partition))
        {
            replicated.commit(connectionId, correlationId, partition, group, offset);
            return;
        }
        try
        {
            record(group, partition, offset);
        }
        catch (final PartitionLogException ex)
        {
            lookup.onStorageError(connectionId, correlationId, templateId, ex);
            return;
        }
        proxy.sendCommitOffset(connectionId, correlationId);
    }

    /**
     * A commit on a replicated partition the cluster committed (on every node, in log order): recorded as one
     * made here.
     *
     * @throws PartitionLogException when the offsets store cannot record it.
     */
    void applyCommitted(final String group, final String topic, final int partitionIndex, final long offset)
    {
        final Topic known = lookup.topics().get(topic);
        final Partition partition = null == known ? null : known.partition(partitionIndex);
        if (null == partition)
        {
            throw new IllegalStateException("committed offset for an unknown replicated partition " + topic + "/" +
                partitionIndex);
        }
        record(group, partition, offset);
    }

    /**
     * Store a group's committed offset, then hold it for fetches and lag.
     *
     * @throws PartitionLogException when the offsets store cannot record it (nothing is held then).
     */
    private void record(final String group, final Partition partition, final long offset)
    {
        store.commitOffset(group, partition.topic.name(), partition.index, offset);
        partition.committedOffsets.put(groupId(group), offset);
    }

    void onFetchCommittedOffset(
        final long connectionId,
        final long correlationId,
        final String group,
        final DirectBuffer topicName,
        final int partitionIndex)
    {
        final int templateId = FetchCommittedOffsetRequestDecoder.TEMPLATE_ID;
        if (!checkGroup(connectionId, correlationId, templateId, group, Acl.Operation.CONSUME))
        {
            return;
        }
        final Partition partition = lookup.findPartition(
            connectionId, correlationId, templateId, topicName, partitionIndex, Acl.Operation.CONSUME);
        if (null != partition)
        {
            final int groupId = groupIds.getValue(group);
            final long offset = -1 == groupId ? -1 : partition.committedOffsets.get(groupId);
            proxy.sendCommittedOffset(connectionId, correlationId, partitionIndex, offset);
        }
    }

    private int groupId(final String group)
    {
        final int known = groupIds.getValue(group);
        if (-1 != known)
        {
            return known;
        }
        final int id = groupNames.size();
        groupIds.put(group, id);
        groupNames.add(group);
        return id;
    }

    /**
     * @return true when the group name is valid and the connection may do the operation on the group; else false
     *         after answering why not.
     */
    private boolean checkGroup(
        final long connectionId, final long correlationId, final int templateId, final String group,
        final Acl.Operation operation)
    {
        if (group.isEmpty() || group.length() > MAX_GROUP_NAME || group.indexOf('\u0000') >= 0)
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.INVALID_REQUEST,
                "group must have 1 to " + MAX_GROUP_NAME + " characters and no NUL");
            return false;
        }
        return lookup.authorize(connectionId, correlationId, templateId, operation, Acl.ResourceType.GROUP, group);
    }
}
