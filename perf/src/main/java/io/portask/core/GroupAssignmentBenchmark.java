package io.portask.core;

import io.portask.core.GroupMember.TopicPartitionKey;
import io.portask.perf.BenchmarkBase;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.StorageKind;
import io.portask.storage.spi.TopicDescriptor;
import org.agrona.concurrent.CachedEpochClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The group coordinator's cost on the core thread for a big group: 1,000 members on a 10,000-partition topic.
 * <ul>
 *   <li>{@code assignFromScratch}: the whole target computed with nothing placed (the first computation);</li>
 *   <li>{@code assignOneJoined}: the target again after a 1,001st member joined, from the settled one (what a join
 *       costs; uniform keeps everyone's partitions up to the new share);</li>
 *   <li>{@code heartbeat}: one steady-state heartbeat of a settled member (decode excluded): what every member
 *       costs the core each heartbeat interval.</li>
 * </ul>
 * In package {@code io.portask.core} because the coordinator is the core's own; run with
 * {@code ./portask perf jmh GroupAssignment}.
 */
@State(Scope.Thread)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GroupAssignmentBenchmark extends BenchmarkBase
{
    private static final int SESSION_MS = 45_000;

    @Param({ "1000" })
    int members;

    @Param({ "10000" })
    int partitions;

    @Param({ "uniform", "range" })
    String assignorName;

    private GroupAssignor assignor;
    private final CachedEpochClock clock = new CachedEpochClock();
    private final TreeSet<TopicPartitionKey> all = new TreeSet<>();
    private final Map<String, GroupMember> settled = new LinkedHashMap<>();
    private final Map<String, GroupMember> joined = new LinkedHashMap<>();
    private final List<Map<String, List<Integer>>> owned = new ArrayList<>();
    private final List<String> ids = new ArrayList<>();
    private Map<TopicPartitionKey, String> target;
    private GroupCoordinator coordinator;
    private int next;

    @Setup
    public void setUp()
    {
        assignor = GroupAssignor.named(assignorName);
        for (int p = 0; p < partitions; p++)
        {
            all.add(new TopicPartitionKey("orders", p));
        }
        for (int m = 0; m < members; m++)
        {
            settled.put(memberId(m), member(memberId(m)));
        }
        target = assignor.assign(settled, all, Map.of());
        joined.putAll(settled);
        joined.put("joining", member("joining"));

        final TopicTable topics = new TopicTable();
        topics.put(new Topic(new TopicDescriptor("orders", partitions, StorageKind.MEMORY)));
        clock.update(1_000_000);
        coordinator = new GroupCoordinator(topics, clock, (group, id, state) ->
        {
        });
        final Map<String, Map<String, List<Integer>>> byMember = new TreeMap<>();
        target.forEach((tp, id) -> byMember.computeIfAbsent(id, m -> new TreeMap<>())
            .computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition()));
        for (final GroupMember member : settled.values())
        {
            target.forEach((tp, id) ->
            {
                if (id.equals(member.id))
                {
                    member.assigned.add(tp);
                }
            });
            member.assignor = assignorName;
            member.epoch = 1;
            coordinator.restore("g", member.id, member.encode());
            ids.add(member.id);
            owned.add(byMember.getOrDefault(member.id, Map.of()));
        }
        for (int i = 0; i < ids.size(); i++)
        {
            heartbeat();
        }
    }

    private static String memberId(final int m)
    {
        return "g-member-" + m;
    }

    private static GroupMember member(final String id)
    {
        final GroupMember member = new GroupMember(id);
        member.subscribed.add("orders");
        return member;
    }

    @Benchmark
    public Object assignFromScratch()
    {
        return assignor.assign(settled, all, Map.of());
    }

    @Benchmark
    public Object assignOneJoined()
    {
        return assignor.assign(joined, all, target);
    }

    @Benchmark
    public Object heartbeat()
    {
        final int m = next++ % ids.size();
        final GroupCoordinator.Answer answer = coordinator.heartbeat(new GroupCoordinator.Heartbeat(
            "g", ids.get(m), "", 1, SESSION_MS, List.of("orders"), owned.get(m), assignorName));
        if (ErrorCode.NONE != answer.error())
        {
            throw new IllegalStateException(answer.message());
        }
        return answer;
    }
}
