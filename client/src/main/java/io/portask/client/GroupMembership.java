package io.portask.client;

import io.portask.protocol.ErrorCode;
import io.portask.protocol.link.Reply;
import io.portask.protocol.link.RequestEncoder;
import io.portask.protocol.link.Requests;
import io.portask.protocol.sbe.GroupHeartbeatResponseDecoder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A subscribed {@link Consumer}'s membership in a group the broker manages: heartbeats (from poll) with what it
 * subscribes to and owns, and the assignment the broker answers with, applied incrementally: what is no longer
 * its own is revoked first (the listener commits), then reported as gone by the next heartbeat, sent at once so
 * the partitions can move; what is new is assigned.
 * <p>
 * Threading: the consumer's poll thread.
 */
final class GroupMembership
{
    /** How the consumer applies assignment changes. */
    interface Changes
    {
        void revoke(Set<TopicPartition> partitions, boolean lost);

        void assign(Set<TopicPartition> partitions);
    }

    /**
     * A member's settings.
     *
     * @param group            the group.
     * @param sessionTimeoutMs how long the broker waits for a heartbeat.
     * @param instanceId       static membership, "" for none.
     * @param assignor         the assignor asked for, "" for the broker's default.
     */
    record Settings(String group, int sessionTimeoutMs, String instanceId, String assignor)
    {
    }

    private final ClientConnection connection;
    private final Settings settings;
    private final List<String> topics;
    private final Set<TopicPartition> owned = new LinkedHashSet<>();
    private String memberId = "";
    private int memberEpoch;
    private long nextHeartbeatNs;

    GroupMembership(final ClientConnection connection, final Settings settings, final List<String> topics)
    {
        this.connection = connection;
        this.settings = settings;
        this.topics = List.copyOf(topics);
    }

    String memberId()
    {
        return memberId;
    }

    int memberEpoch()
    {
        return memberEpoch;
    }

    /**
     * Heartbeat when due and apply what the answer changes.
     */
    void poll(final Changes changes)
    {
        final long nowNs = System.nanoTime();
        if (nowNs < nextHeartbeatNs)
        {
            return;
        }
        final Reply reply;
        try
        {
            reply = connection.await(connection.send(heartbeat(memberEpoch, ownedByTopic())));
        }
        catch (final PortaskException ex)
        {
            if (ErrorCode.FENCED_MEMBER_EPOCH == ex.code())
            {
                changes.revoke(new LinkedHashSet<>(owned), true);
                owned.clear();
                memberId = "";
                memberEpoch = 0;
                return;
            }
            if (ex.isRetriable())
            {
                nextHeartbeatNs = nowNs + TimeUnit.MILLISECONDS.toNanos(100);
                return;
            }
            throw ex;
        }
        final GroupHeartbeatResponseDecoder decoder =
            new GroupHeartbeatResponseDecoder().wrapAndApplyHeader(reply.buffer(), 0, reply.header());
        final int epoch = decoder.memberEpoch();
        final int intervalMs = decoder.heartbeatIntervalMs();
        final Set<TopicPartition> assignment = new LinkedHashSet<>();
        for (final GroupHeartbeatResponseDecoder.AssignedPartitionsDecoder partition : decoder.assignedPartitions())
        {
            final int index = partition.partition();
            assignment.add(new TopicPartition(partition.topic(), index));
        }
        memberId = decoder.memberId();
        memberEpoch = epoch;
        final Set<TopicPartition> revoked = new LinkedHashSet<>(owned);
        revoked.removeAll(assignment);
        final Set<TopicPartition> added = new LinkedHashSet<>(assignment);
        added.removeAll(owned);
        if (!revoked.isEmpty())
        {
            changes.revoke(revoked, false);
            owned.removeAll(revoked);
        }
        if (!added.isEmpty())
        {
            // owned only once started: a start that fails (a partition still opening) is assigned again next beat
            changes.assign(added);
            owned.addAll(added);
        }
        // report a revocation at once, so the partitions can move; else wait the interval
        nextHeartbeatNs = revoked.isEmpty() ? nowNs + TimeUnit.MILLISECONDS.toNanos(intervalMs) : nowNs;
    }

    /**
     * Leave the group: the partitions go to the others at once; a static member's wait for it to come back within
     * its session timeout.
     */
    void leave()
    {
        if (memberId.isEmpty())
        {
            return;
        }
        try
        {
            connection.await(connection.send(heartbeat(settings.instanceId().isEmpty() ? -1 : -2, Map.of())));
        }
        catch (final PortaskException ex)
        {
            // the broker removes the member at its session timeout anyway
        }
    }

    private RequestEncoder heartbeat(final int epoch, final Map<String, List<Integer>> owned)
    {
        return Requests.groupHeartbeat(settings.group(), memberId, settings.instanceId(), settings.assignor(), epoch,
            settings.sessionTimeoutMs(), topics, owned);
    }

    Set<TopicPartition> owned()
    {
        return owned;
    }

    private Map<String, List<Integer>> ownedByTopic()
    {
        final Map<String, List<Integer>> byTopic = new LinkedHashMap<>();
        owned.forEach(tp -> byTopic.computeIfAbsent(tp.topic(), topic -> new ArrayList<>()).add(tp.partition()));
        return byTopic;
    }
}
