package io.portask.core;

import io.portask.core.GroupMember.TopicPartitionKey;
import io.portask.protocol.ErrorCode;
import io.portask.storage.spi.BrokerStore;
import org.agrona.concurrent.EpochClock;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Consumer groups the broker manages, the KIP-848 way: members heartbeat with what they subscribe to and what they
 * own; the coordinator computes the target assignment ({@link GroupAssignor}: uniform and sticky by default, or
 * range) and answers each member with its part of it, minus any partition
 * another member still owns. A partition moves only after its previous owner reported it no longer owns it (it
 * revoked it) or was removed for missing its session timeout, so no partition is ever consumed by two members at
 * once. No stop-the-world rebalance: members that keep their partitions are not disturbed.
 * <p>
 * A static member ({@code group.instance.id}) that joins again under the same instance id, within its session
 * timeout, takes its old place: same member id and assignment, no rebalance; its epoch grows, so its previous
 * incarnation's commits are refused. Leaving with epoch -2 keeps its place for that time.
 * <p>
 * A member's epoch grows each time its assignment changes; commits carry it and are refused from a member the group
 * no longer knows (FENCED_MEMBER_EPOCH) or with an older epoch (STALE_MEMBER_EPOCH). Each member's state is stored
 * when it changes (join, epoch, subscription, leave; not on every heartbeat) and restored at start, so a broker
 * restart keeps the group: members carry on with their ids, epochs and partitions, each given a whole session
 * timeout to come back.
 * <p>
 * Threading: the core agent only. Heartbeats allocate (they are not on the produce path).
 */
final class GroupCoordinator
{
    /** Session timeouts a member may ask for, unless the broker is configured otherwise. */
    static final int MIN_SESSION_TIMEOUT_MS = 500;
    static final int MAX_SESSION_TIMEOUT_MS = 300_000;
    private static final long EXPIRY_CHECK_INTERVAL_MS = 100;
    private static final int STATIC_LEAVE = -2;
    private static final int WAITING_HEARTBEAT_INTERVAL_MS = 100;

    private final TopicTable topics;
    private final EpochClock clock;
    private final BrokerStore.GroupMemberConsumer journal;
    private final Map<String, ConsumerGroup> groups = new HashMap<>();
    /** Member ids are unique across restarts: the start time, then a count. */
    private final String memberIdPrefix;
    private long nextMemberId = 1;
    private int minSessionTimeoutMs = MIN_SESSION_TIMEOUT_MS;
    private int maxSessionTimeoutMs = MAX_SESSION_TIMEOUT_MS;
    private long nextExpiryCheckMs;

    /**
     * @param journal stores a member's state when it changes (null state: it left).
     */
    GroupCoordinator(final TopicTable topics, final EpochClock clock, final BrokerStore.GroupMemberConsumer journal)
    {
        this.topics = topics;
        this.clock = clock;
        this.journal = journal;
        this.memberIdPrefix = "-member-" + Long.toString(clock.time(), 36) + "-";
    }

    /**
     * @param minMs shortest session timeout a member may ask for; shorter ones are raised to it.
     * @param maxMs longest; longer ones are cut to it.
     * @return this.
     */
    GroupCoordinator sessionTimeouts(final int minMs, final int maxMs)
    {
        this.minSessionTimeoutMs = minMs;
        this.maxSessionTimeoutMs = maxMs;
        return this;
    }

    /** A member's heartbeat as the coordinator reads it. */
    record Heartbeat(String group, String memberId, String instanceId, int memberEpoch, int sessionTimeoutMs,
        List<String> subscribed, Map<String, List<Integer>> owned, String assignor)
    {
    }

    /** What a heartbeat is answered with: an error, or the member's id, epoch and partitions. */
    record Answer(ErrorCode error, String message, String memberId, int memberEpoch, int heartbeatIntervalMs,
        Map<String, List<Integer>> assignment)
    {
        static Answer error(final ErrorCode code, final String message)
        {
            return new Answer(code, message, "", -1, 0, Map.of());
        }
    }

    /**
     * Put back a member stored before a restart; it has a whole session timeout from now to heartbeat.
     */
    void restore(final String groupName, final String memberId, final byte[] state)
    {
        final GroupMember member = GroupMember.decode(memberId, state);
        member.lastHeartbeatMs = clock.time();
        groups.computeIfAbsent(groupName, name -> new ConsumerGroup()).restore(member);
    }

    Answer heartbeat(final Heartbeat beat)
    {
        if (null == GroupAssignor.named(beat.assignor()))
        {
            return Answer.error(ErrorCode.INVALID_REQUEST, "unknown assignor '" + beat.assignor() +
                "': uniform or range");
        }
        final String memberId = beat.memberId();
        final ConsumerGroup group = groups.computeIfAbsent(beat.group(), name -> new ConsumerGroup());
        if (beat.memberEpoch() < 0)
        {
            // a static member leaving with -2 keeps its place and partitions until its session timeout
            if (STATIC_LEAVE != beat.memberEpoch() || beat.instanceId().isEmpty())
            {
                remove(beat.group(), group, memberId);
            }
            return new Answer(ErrorCode.NONE, null, memberId, -1, 0, Map.of());
        }
        final GroupMember returning = memberId.isEmpty() && !beat.instanceId().isEmpty() ?
            group.byInstance(beat.instanceId()) : null;
        final GroupMember member;
        if (null != returning)
        {
            member = returning;
            member.epoch++;
        }
        else if (memberId.isEmpty())
        {
            member = new GroupMember(beat.group() + memberIdPrefix + nextMemberId++);
            member.instanceId = beat.instanceId();
            group.add(member);
        }
        else
        {
            member = group.members.get(memberId);
            if (null == member)
            {
                return Answer.error(ErrorCode.FENCED_MEMBER_EPOCH, "member " + memberId + " is not in group " +
                    beat.group() + " (it left or missed its session timeout): join again");
            }
            if (beat.memberEpoch() > member.epoch)
            {
                return Answer.error(ErrorCode.FENCED_MEMBER_EPOCH, "member " + memberId + " sent epoch " +
                    beat.memberEpoch() + ", ahead of its " + member.epoch);
            }
        }
        member.lastHeartbeatMs = clock.time();
        member.sessionTimeoutMs =
            Math.max(minSessionTimeoutMs, Math.min(maxSessionTimeoutMs, beat.sessionTimeoutMs()));
        final TreeSet<String> topicsNow = new TreeSet<>(beat.subscribed());
        if (!topicsNow.equals(member.subscribed) || !beat.assignor().equals(member.assignor))
        {
            member.subscribed = topicsNow;
            member.assignor = beat.assignor();
            group.changed = true;
        }
        group.reportOwned(member, beat.owned());
        group.updateTarget(topics);
        // a member waiting for partitions others are revoking comes back soon, not at its usual interval
        final boolean waiting = group.reconcile(member);
        store(beat.group(), member);
        return new Answer(ErrorCode.NONE, null, member.id, member.epoch,
            waiting ? WAITING_HEARTBEAT_INTERVAL_MS : Math.max(100, Math.min(3000, member.sessionTimeoutMs / 3)),
            toMap(member.assigned));
    }

    /**
     * @return null when the commit may go ahead, else why not.
     */
    Answer checkCommit(final String groupName, final String memberId, final int memberEpoch)
    {
        final ConsumerGroup group = groups.get(groupName);
        if (memberId.isEmpty())
        {
            return null == group || group.members.isEmpty() ? null : Answer.error(ErrorCode.INVALID_REQUEST,
                "group " + groupName + " has " + group.members.size() + " member(s): its offsets are committed by " +
                "its members (reset them when the group is empty)");
        }
        final GroupMember member = null == group ? null : group.members.get(memberId);
        if (null == member)
        {
            return Answer.error(ErrorCode.FENCED_MEMBER_EPOCH, "member " + memberId + " is not in group " +
                groupName + ": its partitions may have moved; its commit is refused");
        }
        if (memberEpoch != member.epoch)
        {
            return Answer.error(ErrorCode.STALE_MEMBER_EPOCH, "member " + memberId + " committed with epoch " +
                memberEpoch + "; its epoch is " + member.epoch + " (its assignment changed)");
        }
        return null;
    }

    /**
     * Duty cycle: remove members past their session timeout; their partitions go to the others.
     *
     * @return members removed.
     */
    int doWork()
    {
        final long nowMs = clock.time();
        if (nowMs < nextExpiryCheckMs || groups.isEmpty())
        {
            return 0;
        }
        nextExpiryCheckMs = nowMs + EXPIRY_CHECK_INTERVAL_MS;
        int removed = 0;
        for (final Map.Entry<String, ConsumerGroup> entry : groups.entrySet())
        {
            final List<String> expired = new ArrayList<>();
            entry.getValue().members.values().forEach(member ->
            {
                if (nowMs - member.lastHeartbeatMs > member.sessionTimeoutMs)
                {
                    expired.add(member.id);
                }
            });
            for (final String memberId : expired)
            {
                remove(entry.getKey(), entry.getValue(), memberId);
                removed++;
            }
        }
        return removed;
    }

    /**
     * Forget a group without members (its members' stored state is gone with the group's).
     *
     * @return null when it went, else why not.
     */
    Answer deleteGroup(final String groupName)
    {
        final ConsumerGroup group = groups.get(groupName);
        if (null != group && !group.members.isEmpty())
        {
            return Answer.error(ErrorCode.INVALID_REQUEST, "group " + groupName + " has " + group.members.size() +
                " member(s): delete it when it is empty");
        }
        groups.remove(groupName);
        return null;
    }

    /**
     * @return the names of the groups with members now.
     */
    List<String> groupsWithMembers()
    {
        final List<String> names = new ArrayList<>();
        groups.forEach((name, group) ->
        {
            if (!group.members.isEmpty())
            {
                names.add(name);
            }
        });
        return names;
    }

    /**
     * @return the member's epoch, or -1 when the group has no such member.
     */
    int memberEpoch(final String groupName, final String memberId)
    {
        final ConsumerGroup group = groups.get(groupName);
        final GroupMember member = null == group ? null : group.members.get(memberId);
        return null == member ? -1 : member.epoch;
    }

    /**
     * @return the group's members and each one's assigned partitions, for DescribeGroup and tests.
     */
    Map<String, Map<String, List<Integer>>> describe(final String groupName)
    {
        final ConsumerGroup group = groups.get(groupName);
        final Map<String, Map<String, List<Integer>>> members = new TreeMap<>();
        if (null != group)
        {
            group.members.values().forEach(member -> members.put(member.id, toMap(member.assigned)));
        }
        return members;
    }

    private void remove(final String groupName, final ConsumerGroup group, final String memberId)
    {
        if (null != group.remove(memberId))
        {
            journal.accept(groupName, memberId, null);
        }
    }

    private void store(final String groupName, final GroupMember member)
    {
        final byte[] state = member.encode();
        // a new member has nothing stored (null is checked here, not by Arrays.equals: Jazzer 0.26's hook of
        // Arrays.equals crashes the JVM on a null array)
        if (null == member.stored || !Arrays.equals(state, member.stored))
        {
            journal.accept(groupName, member.id, state);
            member.stored = state;
        }
    }

    private static Map<String, List<Integer>> toMap(final TreeSet<TopicPartitionKey> partitions)
    {
        final Map<String, List<Integer>> map = new TreeMap<>();
        partitions.forEach(tp -> map.computeIfAbsent(tp.topic(), topic -> new ArrayList<>()).add(tp.partition()));
        return map;
    }
}
