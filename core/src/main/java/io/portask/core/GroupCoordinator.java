package io.portask.core;

import io.portask.protocol.ErrorCode;
import org.agrona.concurrent.EpochClock;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Consumer groups the broker manages, the KIP-848 way: members heartbeat with what they subscribe to and what they
 * own; the coordinator computes the target assignment (uniform and sticky: each member keeps what it has up to its
 * share, the rest go to the members with fewest) and answers each member with its part of it, minus any partition
 * another member still owns. A partition moves only after its previous owner reported it no longer owns it (it
 * revoked it) or was removed for missing its session timeout, so no partition is ever consumed by two members at
 * once. No stop-the-world rebalance: members that keep their partitions are not disturbed.
 * <p>
 * A member's epoch grows each time its assignment changes; commits carry it and are refused from a member the group
 * no longer knows (FENCED_MEMBER_EPOCH) or with an older epoch (STALE_MEMBER_EPOCH). Group state lives in memory: a
 * broker restart makes members join again (their heartbeats get FENCED_MEMBER_EPOCH and the SDK rejoins).
 * <p>
 * Threading: the core agent only. Heartbeats allocate (they are not on the produce path).
 */
final class GroupCoordinator
{
    /** Session timeouts a member may ask for. */
    static final int MIN_SESSION_TIMEOUT_MS = 500;
    static final int MAX_SESSION_TIMEOUT_MS = 300_000;
    private static final long EXPIRY_CHECK_INTERVAL_MS = 100;

    private final TopicTable topics;
    private final EpochClock clock;
    private final Map<String, Group> groups = new HashMap<>();
    private long nextMemberId = 1;
    private long nextExpiryCheckMs;

    GroupCoordinator(final TopicTable topics, final EpochClock clock)
    {
        this.topics = topics;
        this.clock = clock;
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

    Answer heartbeat(
        final String groupName, final String memberId, final int memberEpoch, final int sessionTimeoutMs,
        final List<String> subscribed, final Map<String, List<Integer>> owned)
    {
        final long nowMs = clock.time();
        final Group group = groups.computeIfAbsent(groupName, Group::new);
        if (memberEpoch < 0)
        {
            final Member leaving = group.members.remove(memberId);
            if (null != leaving)
            {
                group.release(leaving);
                group.changed = true;
            }
            return new Answer(ErrorCode.NONE, null, memberId, -1, 0, Map.of());
        }
        Member member;
        if (memberId.isEmpty())
        {
            member = new Member(groupName + "-member-" + nextMemberId++);
            group.members.put(member.id, member);
            group.changed = true;
        }
        else
        {
            member = group.members.get(memberId);
            if (null == member)
            {
                return Answer.error(ErrorCode.FENCED_MEMBER_EPOCH, "member " + memberId + " is not in group " +
                    groupName + " (it left or missed its session timeout): join again");
            }
            if (memberEpoch > member.epoch)
            {
                return Answer.error(ErrorCode.FENCED_MEMBER_EPOCH, "member " + memberId + " sent epoch " +
                    memberEpoch + ", ahead of its " + member.epoch);
            }
        }
        member.lastHeartbeatMs = nowMs;
        member.sessionTimeoutMs = Math.max(MIN_SESSION_TIMEOUT_MS, Math.min(MAX_SESSION_TIMEOUT_MS, sessionTimeoutMs));
        final TreeSet<String> topicsNow = new TreeSet<>(subscribed);
        if (!topicsNow.equals(member.subscribed))
        {
            member.subscribed = topicsNow;
            group.changed = true;
        }
        group.reportOwned(member, owned);
        if (group.changed || !group.partitionCountsMatch(topics))
        {
            group.computeTarget(topics);
        }
        final Map<String, List<Integer>> answer = group.reconcile(member);
        return new Answer(ErrorCode.NONE, null, member.id, member.epoch,
            Math.max(100, Math.min(3000, member.sessionTimeoutMs / 3)), answer);
    }

    /**
     * @return null when the commit may go ahead, else why not.
     */
    Answer checkCommit(final String groupName, final String memberId, final int memberEpoch)
    {
        final Group group = groups.get(groupName);
        if (memberId.isEmpty())
        {
            return null == group || group.members.isEmpty() ? null : Answer.error(ErrorCode.INVALID_REQUEST,
                "group " + groupName + " has " + group.members.size() + " member(s): its offsets are committed by " +
                "its members (reset them when the group is empty)");
        }
        final Member member = null == group ? null : group.members.get(memberId);
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
        for (final Group group : groups.values())
        {
            final List<Member> expired = new ArrayList<>();
            for (final Member member : group.members.values())
            {
                if (nowMs - member.lastHeartbeatMs > member.sessionTimeoutMs)
                {
                    expired.add(member);
                }
            }
            for (final Member member : expired)
            {
                group.members.remove(member.id);
                group.release(member);
                group.changed = true;
                removed++;
            }
        }
        return removed;
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
        final Group group = groups.get(groupName);
        final Member member = null == group ? null : group.members.get(memberId);
        return null == member ? -1 : member.epoch;
    }

    /**
     * @return the group's members and each one's assigned partitions, for DescribeGroup and tests.
     */
    Map<String, Map<String, List<Integer>>> describe(final String groupName)
    {
        final Group group = groups.get(groupName);
        final Map<String, Map<String, List<Integer>>> members = new TreeMap<>();
        if (null != group)
        {
            group.members.values().forEach(member -> members.put(member.id, toMap(member.assigned)));
        }
        return members;
    }

    private static Map<String, List<Integer>> toMap(final TreeSet<TopicPartitionKey> partitions)
    {
        final Map<String, List<Integer>> map = new TreeMap<>();
        partitions.forEach(tp -> map.computeIfAbsent(tp.topic(), topic -> new ArrayList<>()).add(tp.partition()));
        return map;
    }

    /** A topic and partition, ordered by topic then partition. */
    record TopicPartitionKey(String topic, int partition) implements Comparable<TopicPartitionKey>
    {
        public int compareTo(final TopicPartitionKey other)
        {
            final int byTopic = topic.compareTo(other.topic);
            return 0 != byTopic ? byTopic : Integer.compare(partition, other.partition);
        }
    }

    private static final class Member
    {
        final String id;
        int epoch;
        int sessionTimeoutMs = 45_000;
        long lastHeartbeatMs;
        TreeSet<String> subscribed = new TreeSet<>();
        /** What the member was last told it owns. */
        final TreeSet<TopicPartitionKey> assigned = new TreeSet<>();

        Member(final String id)
        {
            this.id = id;
        }
    }

    private static final class Group
    {
        final Map<String, Member> members = new LinkedHashMap<>();
        /** Who owns a partition now: told so, and not yet reported it gone. */
        final Map<TopicPartitionKey, String> owners = new HashMap<>();
        /** Where each partition should be. */
        Map<TopicPartitionKey, String> target = new HashMap<>();
        final Map<String, Integer> partitionCounts = new HashMap<>();
        boolean changed;

        Group(final String ignoredName)
        {
            // one per group name, the map's key
        }

        void release(final Member member)
        {
            owners.values().removeIf(member.id::equals);
        }

        /**
         * The member owns only what it reports owning, of what it was given: what it no longer reports, it revoked.
         */
        void reportOwned(final Member member, final Map<String, List<Integer>> owned)
        {
            final TreeSet<TopicPartitionKey> reported = new TreeSet<>();
            owned.forEach((topic, indexes) -> indexes.forEach(index ->
                reported.add(new TopicPartitionKey(topic, index))));
            owners.entrySet().removeIf(entry ->
                member.id.equals(entry.getValue()) && !reported.contains(entry.getKey()));
        }

        boolean partitionCountsMatch(final TopicTable topics)
        {
            for (final Map.Entry<String, Integer> entry : partitionCounts.entrySet())
            {
                final Topic topic = topics.get(entry.getKey());
                if ((null == topic ? 0 : topic.partitions.length) != entry.getValue())
                {
                    return false;
                }
            }
            return true;
        }

        /**
         * Uniform and sticky: each member keeps its current target partitions up to its share (the total it may
         * take, divided evenly, rounded up), the rest go to the eligible member with fewest.
         */
        void computeTarget(final TopicTable topics)
        {
            changed = false;
            partitionCounts.clear();
            final TreeSet<TopicPartitionKey> all = new TreeSet<>();
            for (final Member member : members.values())
            {
                for (final String name : member.subscribed)
                {
                    final Topic topic = topics.get(name);
                    final int count = null == topic ? 0 : topic.partitions.length;
                    partitionCounts.put(name, count);
                    for (int p = 0; p < count; p++)
                    {
                        all.add(new TopicPartitionKey(name, p));
                    }
                }
            }
            final Map<TopicPartitionKey, String> next = new HashMap<>();
            final Map<String, Integer> counts = new HashMap<>();
            members.keySet().forEach(id -> counts.put(id, 0));
            final int share = members.isEmpty() ? 0 : (all.size() + members.size() - 1) / members.size();
            final List<TopicPartitionKey> unplaced = new ArrayList<>();
            for (final TopicPartitionKey tp : all)
            {
                final String previous = target.get(tp);
                final Member keeper = null == previous ? null : members.get(previous);
                if (null != keeper && keeper.subscribed.contains(tp.topic()) && counts.get(keeper.id) < share)
                {
                    next.put(tp, keeper.id);
                    counts.merge(keeper.id, 1, Integer::sum);
                }
                else
                {
                    unplaced.add(tp);
                }
            }
            for (final TopicPartitionKey tp : unplaced)
            {
                Member fewest = null;
                for (final Member member : members.values())
                {
                    if (member.subscribed.contains(tp.topic()) &&
                        (null == fewest || counts.get(member.id) < counts.get(fewest.id)))
                    {
                        fewest = member;
                    }
                }
                if (null != fewest)
                {
                    next.put(tp, fewest.id);
                    counts.merge(fewest.id, 1, Integer::sum);
                }
            }
            target = next;
        }

        /**
         * The member's part of the target, minus partitions another member still owns; what it had and is no longer
         * its target is left out (it revokes them). A different answer than last time bumps the member's epoch.
         */
        Map<String, List<Integer>> reconcile(final Member member)
        {
            final TreeSet<TopicPartitionKey> answer = new TreeSet<>();
            for (final Map.Entry<TopicPartitionKey, String> entry : target.entrySet())
            {
                if (!member.id.equals(entry.getValue()))
                {
                    continue;
                }
                final String owner = owners.get(entry.getKey());
                if (null == owner || member.id.equals(owner) || !members.containsKey(owner))
                {
                    answer.add(entry.getKey());
                    owners.put(entry.getKey(), member.id);
                }
            }
            // what the member had and is left out of the answer it revokes; it stays its owner until it reports so
            if (!answer.equals(member.assigned))
            {
                member.assigned.clear();
                member.assigned.addAll(answer);
                member.epoch++;
            }
            return toMap(member.assigned);
        }
    }

}
