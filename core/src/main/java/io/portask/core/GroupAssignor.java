package io.portask.core;

import io.portask.core.GroupMember.TopicPartitionKey;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SortedSet;

/**
 * Computes a group's target assignment on the broker: which member each partition of the subscribed topics should
 * be with. Each partition goes to one member subscribed to its topic.
 */
enum GroupAssignor
{
    /**
     * Sticky and balanced: each member keeps its current target partitions up to its share (the total divided
     * evenly, rounded up), the rest go one by one to the subscribed member with fewest. Moves the fewest
     * partitions when members come and go.
     */
    UNIFORM
    {
        Map<TopicPartitionKey, String> assign(
            final Map<String, GroupMember> members, final SortedSet<TopicPartitionKey> partitions,
            final Map<TopicPartitionKey, String> previous)
        {
            final Map<TopicPartitionKey, String> next = new HashMap<>();
            final GroupMember[] byIndex = members.values().toArray(GroupMember[]::new);
            final Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < byIndex.length; i++)
            {
                index.put(byIndex[i].id, i);
            }
            final int[] counts = new int[byIndex.length];
            final int share = members.isEmpty() ? 0 : (partitions.size() + members.size() - 1) / members.size();
            final Map<String, List<TopicPartitionKey>> unplacedByTopic = new HashMap<>();
            for (final TopicPartitionKey tp : partitions)
            {
                final String owner = previous.get(tp);
                final Integer keeper = null == owner ? null : index.get(owner);
                if (null != keeper && byIndex[keeper].subscribed.contains(tp.topic()) && counts[keeper] < share)
                {
                    next.put(tp, owner);
                    counts[keeper]++;
                }
                else
                {
                    unplacedByTopic.computeIfAbsent(tp.topic(), topic -> new ArrayList<>()).add(tp);
                }
            }
            unplacedByTopic.forEach((topic, unplaced) ->
            {
                // the subscribed members, fewest partitions first (ties by member order, for a stable answer)
                final PriorityQueue<Integer> fewest = new PriorityQueue<>((a, b) ->
                    counts[a] != counts[b] ? Integer.compare(counts[a], counts[b]) : Integer.compare(a, b));
                for (int i = 0; i < byIndex.length; i++)
                {
                    if (byIndex[i].subscribed.contains(topic))
                    {
                        fewest.add(i);
                    }
                }
                for (final TopicPartitionKey tp : unplaced)
                {
                    final Integer member = fewest.poll();
                    if (null == member)
                    {
                        return;
                    }
                    next.put(tp, byIndex[member].id);
                    counts[member]++;
                    fewest.add(member);
                }
            });
            return next;
        }
    },

    /**
     * Kafka's range: per topic, the subscribed members in order of instance id (else member id) each take a
     * contiguous range of partitions, the first ones one more when the count does not divide. Co-partitioned topics
     * land together; not sticky.
     */
    RANGE
    {
        Map<TopicPartitionKey, String> assign(
            final Map<String, GroupMember> members, final SortedSet<TopicPartitionKey> partitions,
            final Map<TopicPartitionKey, String> previous)
        {
            final Map<String, List<TopicPartitionKey>> byTopic = new HashMap<>();
            partitions.forEach(tp -> byTopic.computeIfAbsent(tp.topic(), topic -> new ArrayList<>()).add(tp));
            final Map<TopicPartitionKey, String> next = new HashMap<>();
            byTopic.forEach((topic, list) ->
            {
                final List<GroupMember> subscribed = members.values().stream()
                    .filter(member -> member.subscribed.contains(topic))
                    .sorted((a, b) -> rangeKey(a).compareTo(rangeKey(b))).toList();
                if (subscribed.isEmpty())
                {
                    return;
                }
                final int each = list.size() / subscribed.size();
                final int extra = list.size() % subscribed.size();
                int at = 0;
                for (int m = 0; m < subscribed.size(); m++)
                {
                    final int count = each + (m < extra ? 1 : 0);
                    for (int i = 0; i < count; i++)
                    {
                        next.put(list.get(at++), subscribed.get(m).id);
                    }
                }
            });
            return next;
        }
    };

    /**
     * @param members    the group's members by id.
     * @param partitions every partition of the topics any member subscribes to.
     * @param previous   the target before.
     * @return the new target.
     */
    abstract Map<TopicPartitionKey, String> assign(
        Map<String, GroupMember> members, SortedSet<TopicPartitionKey> partitions,
        Map<TopicPartitionKey, String> previous);

    /**
     * @return the assignor of that name ("" for the default, uniform), or null when there is none.
     */
    static GroupAssignor named(final String name)
    {
        return switch (name)
        {
            case "", "uniform" -> UNIFORM;
            case "range" -> RANGE;
            default -> null;
        };
    }

    /**
     * @return the assignor most members ask for (ties: the first in declaration order), uniform when none asks.
     */
    static GroupAssignor of(final Collection<GroupMember> members)
    {
        final int[] votes = new int[values().length];
        members.forEach(member -> votes[named(member.assignor).ordinal()] += member.assignor.isEmpty() ? 0 : 1);
        GroupAssignor chosen = UNIFORM;
        for (final GroupAssignor assignor : values())
        {
            if (votes[assignor.ordinal()] > votes[chosen.ordinal()])
            {
                chosen = assignor;
            }
        }
        return chosen;
    }

    private static String rangeKey(final GroupMember member)
    {
        return member.instanceId.isEmpty() ? "\uffff" + member.id : member.instanceId;
    }
}
