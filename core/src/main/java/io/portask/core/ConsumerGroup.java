package io.portask.core;

import io.portask.core.GroupMember.TopicPartitionKey;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One consumer group's members, who owns each partition now, and where each should be (the target). Reconciling
 * a member hands it its part of the target minus what another member still owns; so a partition moves only once its
 * previous owner reported it gone or left the group.
 * <p>
 * Threading: the core agent only.
 */
final class ConsumerGroup
{
    private static final TreeSet<TopicPartitionKey> EMPTY = new TreeSet<>();

    final Map<String, GroupMember> members = new LinkedHashMap<>();
    /** Who owns a partition now: told so, and not yet reported it gone; and the same by member. */
    private final Map<TopicPartitionKey, String> owners = new HashMap<>();
    private final Map<String, TreeSet<TopicPartitionKey>> ownedBy = new HashMap<>();
    /** Where each partition should be. */
    private Map<TopicPartitionKey, String> target = new HashMap<>();
    /** The target by member, so a heartbeat looks at its own partitions only. */
    private final Map<String, TreeSet<TopicPartitionKey>> targetByMember = new HashMap<>();
    private final Map<String, Integer> partitionCounts = new HashMap<>();
    boolean changed;

    GroupMember byInstance(final String instanceId)
    {
        for (final GroupMember member : members.values())
        {
            if (instanceId.equals(member.instanceId))
            {
                return member;
            }
        }
        return null;
    }

    void add(final GroupMember member)
    {
        members.put(member.id, member);
        changed = true;
    }

    /**
     * A member restored after a broker restart: it owns what it was last told, and that is its target until the
     * next computation.
     */
    void restore(final GroupMember member)
    {
        add(member);
        member.assigned.forEach(tp ->
        {
            own(tp, member.id);
            target.put(tp, member.id);
        });
        targetByMember.put(member.id, new TreeSet<>(member.assigned));
    }

    GroupMember remove(final String memberId)
    {
        final GroupMember member = members.remove(memberId);
        if (null != member)
        {
            final TreeSet<TopicPartitionKey> owned = ownedBy.remove(member.id);
            if (null != owned)
            {
                owned.forEach(owners::remove);
            }
            changed = true;
        }
        return member;
    }

    /**
     * The member owns only what it reports owning, of what it was given: what it no longer reports, it revoked.
     */
    void reportOwned(final GroupMember member, final Map<String, List<Integer>> owned)
    {
        final TreeSet<TopicPartitionKey> reported = new TreeSet<>();
        owned.forEach((topic, indexes) -> indexes.forEach(index ->
            reported.add(new TopicPartitionKey(topic, index))));
        for (final Iterator<TopicPartitionKey> it = ownedBy.getOrDefault(member.id, EMPTY).iterator(); it.hasNext();)
        {
            final TopicPartitionKey tp = it.next();
            if (!reported.contains(tp))
            {
                it.remove();
                owners.remove(tp);
            }
        }
    }

    private void own(final TopicPartitionKey tp, final String memberId)
    {
        final String before = owners.put(tp, memberId);
        if (null != before && !before.equals(memberId))
        {
            final TreeSet<TopicPartitionKey> theirs = ownedBy.get(before);
            if (null != theirs)
            {
                theirs.remove(tp);
            }
        }
        ownedBy.computeIfAbsent(memberId, id -> new TreeSet<>()).add(tp);
    }

    /**
     * Compute the target again when membership or subscriptions changed or a subscribed topic's partition count did.
     */
    void updateTarget(final TopicTable topics)
    {
        if (changed || !partitionCountsMatch(topics))
        {
            changed = false;
            partitionCounts.clear();
            final TreeSet<TopicPartitionKey> all = new TreeSet<>();
            for (final GroupMember member : members.values())
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
            target = GroupAssignor.of(members.values()).assign(members, all, target);
            targetByMember.clear();
            target.forEach((tp, id) -> targetByMember.computeIfAbsent(id, m -> new TreeSet<>()).add(tp));
        }
    }

    private boolean partitionCountsMatch(final TopicTable topics)
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
     * The member's part of the target, minus partitions another member still owns; what it had and is no longer
     * its target is left out (it revokes them). A different answer than last time bumps the member's epoch.
     *
     * @return whether part of its target waits for another member to revoke it.
     */
    boolean reconcile(final GroupMember member)
    {
        boolean waiting = false;
        final TreeSet<TopicPartitionKey> answer = new TreeSet<>();
        for (final TopicPartitionKey tp : targetByMember.getOrDefault(member.id, EMPTY))
        {
            final String owner = owners.get(tp);
            if (null == owner || member.id.equals(owner) || !members.containsKey(owner))
            {
                answer.add(tp);
                own(tp, member.id);
            }
            else
            {
                waiting = true;
            }
        }
        // what the member had and is left out of the answer it revokes; it stays its owner until it reports so
        if (!answer.equals(member.assigned))
        {
            member.assigned.clear();
            member.assigned.addAll(answer);
            member.epoch++;
        }
        return waiting;
    }
}
