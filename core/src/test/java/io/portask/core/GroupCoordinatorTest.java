package io.portask.core;

import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.StorageKind;
import io.portask.storage.spi.TopicDescriptor;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The group coordinator on its own, members simulated: uniform and sticky assignment, range, incremental moves that
 * never give a partition to two members at once, removal after the session timeout, commits fenced by epoch, static
 * membership, and the group kept across a restart from what it stored.
 */
class GroupCoordinatorTest
{
    private static final int SESSION_MS = 3_000;

    private final TopicTable topics = new TopicTable();
    private final CachedEpochClock clock = new CachedEpochClock();
    private GroupCoordinator coordinator;

    /** One simulated consumer: what it owns and its epoch, updated from each answer. */
    private final class Sim
    {
        String id = "";
        String instanceId = "";
        String assignor = "";
        int epoch;
        Map<String, List<Integer>> owned = new HashMap<>();

        GroupCoordinator.Answer beat()
        {
            final GroupCoordinator.Answer answer = coordinator.heartbeat(new GroupCoordinator.Heartbeat(
                "g", id, instanceId, epoch, SESSION_MS, List.of("orders"), owned, assignor));
            assertEquals(ErrorCode.NONE, answer.error(), answer.message());
            id = answer.memberId();
            epoch = answer.memberEpoch();
            owned = answer.assignment();
            return answer;
        }

        Set<Integer> partitions()
        {
            return new HashSet<>(owned.getOrDefault("orders", List.of()));
        }
    }

    @BeforeEach
    void setUp()
    {
        clock.update(1_000_000);
        topics.put(new Topic(new TopicDescriptor("orders", 12, StorageKind.MEMORY)));
        coordinator = new GroupCoordinator(topics, clock, this::store);
    }

    /** What the coordinator stored: each member's latest state (null once it left). */
    private final Map<String, byte[]> journal = new HashMap<>();

    private void store(final String group, final String memberId, final byte[] state)
    {
        journal.put(group + "/" + memberId, state);
    }

    @Test
    void shouldSpreadTwelvePartitionsOverThreeThenMoveOnlyThreeToAFourth()
    {
        final List<Sim> members = new ArrayList<>(List.of(new Sim(), new Sim(), new Sim()));
        converge(members);
        members.forEach(member -> assertEquals(4, member.partitions().size(), member.id));
        final List<Set<Integer>> before = members.stream().map(Sim::partitions).toList();

        members.add(new Sim());
        converge(members);
        members.forEach(member -> assertEquals(3, member.partitions().size(), member.id));
        int kept = 0;
        for (int i = 0; i < 3; i++)
        {
            final Set<Integer> still = members.get(i).partitions();
            still.retainAll(before.get(i));
            kept += still.size();
        }
        assertEquals(9, kept, "only 3 partitions moved");
    }

    @Test
    void shouldGiveADeadMembersPartitionsToTheOthersAfterItsSessionTimeout()
    {
        final List<Sim> members = new ArrayList<>(List.of(new Sim(), new Sim(), new Sim()));
        converge(members);
        final Sim dead = members.remove(2);
        clock.advance(SESSION_MS / 2);
        converge(members);
        assertEquals(8, members.get(0).partitions().size() + members.get(1).partitions().size(),
            "nothing moves before the timeout");
        clock.advance(SESSION_MS);
        members.forEach(Sim::beat);
        assertEquals(1, coordinator.doWork(), "only the member that stopped heartbeating is removed");
        assertTrue(coordinator.describe("g").containsKey(members.get(0).id));
        assertEquals(2, coordinator.describe("g").size(), "the dead member " + dead.id + " is gone");
        converge(members);
        assertEquals(12, members.get(0).partitions().size() + members.get(1).partitions().size());
        assertEquals(ErrorCode.FENCED_MEMBER_EPOCH, coordinator.checkCommit("g", dead.id, dead.epoch).error(),
            "a zombie's commit is refused");
        assertEquals(ErrorCode.STALE_MEMBER_EPOCH,
            coordinator.checkCommit("g", members.get(0).id, members.get(0).epoch - 1).error());
        assertNull(coordinator.checkCommit("g", members.get(0).id, members.get(0).epoch));
        assertEquals(ErrorCode.INVALID_REQUEST, coordinator.checkCommit("g", "", -1).error(),
            "a commit from outside a group with members (a reset) is refused");
        assertNull(coordinator.checkCommit("empty", "", -1), "outside membership, a group without members: as ever");
    }

    @Test
    void shouldGiveARestartedStaticMemberItsPlaceBackWithoutMovingAnything()
    {
        final List<Sim> members = new ArrayList<>(List.of(new Sim(), new Sim(), new Sim()));
        members.get(0).instanceId = "billing-1";
        converge(members);
        final Sim old = members.get(0);
        final List<Set<Integer>> before = members.stream().map(Sim::partitions).toList();
        final GroupCoordinator.Answer left = coordinator.heartbeat(new GroupCoordinator.Heartbeat(
            "g", old.id, "billing-1", -2, SESSION_MS, List.of("orders"), old.owned, ""));
        assertEquals(ErrorCode.NONE, left.error());

        final Sim restarted = new Sim();
        restarted.instanceId = "billing-1";
        members.set(0, restarted);
        converge(members);
        assertEquals(old.id, restarted.id, "the same member, back");
        assertEquals(before, members.stream().map(Sim::partitions).toList(), "no partition moved");
        assertEquals(ErrorCode.STALE_MEMBER_EPOCH, coordinator.checkCommit("g", old.id, old.epoch).error(),
            "the previous incarnation's commits are refused");
    }

    @Test
    void shouldKeepTheGroupAcrossARestartFromWhatItStored()
    {
        final List<Sim> members = new ArrayList<>(List.of(new Sim(), new Sim(), new Sim()));
        converge(members);
        final List<Set<Integer>> before = members.stream().map(Sim::partitions).toList();
        final int writes = journal.size();
        members.forEach(Sim::beat);
        assertEquals(writes, journal.size(), "a heartbeat that changes nothing stores nothing");

        clock.advance(60_000);
        coordinator = new GroupCoordinator(topics, clock, this::store);
        journal.forEach((key, state) ->
        {
            if (null != state)
            {
                coordinator.restore("g", key.substring(2), state);
            }
        });
        assertEquals(0, coordinator.doWork(), "restored members get a whole session timeout from the restart");
        members.forEach(member -> assertNull(coordinator.checkCommit("g", member.id, member.epoch),
            "each member's epoch survives: its commits go on"));
        converge(members);
        assertEquals(before, members.stream().map(Sim::partitions).toList(), "no partition moved");

        final Sim gone = members.remove(2);
        clock.advance(SESSION_MS + 1);
        members.forEach(Sim::beat);
        assertEquals(1, coordinator.doWork());
        assertNull(journal.get("g/" + gone.id), "its removal is stored");
        converge(members);
        assertEquals(12, members.get(0).partitions().size() + members.get(1).partitions().size());
    }

    @Test
    void shouldKeepSessionTimeoutsWithinTheBrokersBounds()
    {
        coordinator.sessionTimeouts(1_000, 2_000);
        final GroupCoordinator.Answer joined = coordinator.heartbeat(new GroupCoordinator.Heartbeat(
            "bounded", "", "", 0, 45_000, List.of("orders"), Map.of(), ""));
        assertEquals(2_000 / 3, joined.heartbeatIntervalMs(), "45 s asked, cut to 2 s");
        clock.advance(2_001);
        assertEquals(1, coordinator.doWork(), "removed after the broker's longest session timeout");
    }

    @Test
    void shouldPickUpATopicCreatedAfterTheMembersSubscribed()
    {
        final GroupCoordinator.Heartbeat join = new GroupCoordinator.Heartbeat(
            "late", "", "", 0, SESSION_MS, List.of("later"), Map.of(), "");
        final GroupCoordinator.Answer before = coordinator.heartbeat(join);
        assertTrue(before.assignment().isEmpty(), "nothing to assign yet");
        topics.put(new Topic(new TopicDescriptor("later", 3, StorageKind.MEMORY)));
        final GroupCoordinator.Answer after = coordinator.heartbeat(new GroupCoordinator.Heartbeat(
            "late", before.memberId(), "", before.memberEpoch(), SESSION_MS, List.of("later"), Map.of(), ""));
        assertEquals(Map.of("later", List.of(0, 1, 2)), after.assignment());
    }

    @Test
    void shouldAssignContiguousRangesWhenTheMembersAskForRange()
    {
        final List<Sim> members = new ArrayList<>(List.of(new Sim(), new Sim(), new Sim(), new Sim(), new Sim()));
        for (int i = 0; i < members.size(); i++)
        {
            members.get(i).assignor = "range";
            members.get(i).instanceId = "c" + i;
        }
        converge(members);
        assertEquals(List.of(Set.of(0, 1, 2), Set.of(3, 4, 5), Set.of(6, 7), Set.of(8, 9), Set.of(10, 11)),
            members.stream().map(Sim::partitions).toList(), "12 over 5 in instance-id order: 3, 3, 2, 2, 2");
        assertEquals(ErrorCode.INVALID_REQUEST, coordinator.heartbeat(new GroupCoordinator.Heartbeat(
            "g", "", "", 0, SESSION_MS, List.of("orders"), Map.of(), "roundrobin")).error());
    }

    /**
     * Heartbeat round-robin until two rounds in a row change nothing, checking after every answer that no partition
     * is held by two members.
     */
    private void converge(final List<Sim> members)
    {
        int stableRounds = 0;
        for (int round = 0; round < 12; round++)
        {
            boolean changed = false;
            for (final Sim member : members)
            {
                final int epoch = member.epoch;
                member.beat();
                changed |= epoch != member.epoch;
                final Set<Integer> seen = new HashSet<>();
                for (final Sim other : members)
                {
                    for (final Integer partition : other.partitions())
                    {
                        assertTrue(seen.add(partition), "partition " + partition + " held by two members");
                    }
                }
            }
            stableRounds = changed ? 0 : stableRounds + 1;
            if (2 == stableRounds)
            {
                return;
            }
        }
        throw new AssertionError("the group did not settle in 12 rounds");
    }
}
