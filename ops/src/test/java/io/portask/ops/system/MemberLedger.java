package io.portask.ops.system;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads what group members said they consumed ({@link GroupMemberMain}'s output) and checks that every record of a
 * partition was consumed exactly once across them. A record counts once its member committed past it ("C" naming
 * its partition, or "R"); one lost ("L") is read again by the next owner. Records in flight when a member died
 * (printed, commit unknown) count only if no other member read them again: the next owner re-reads them exactly
 * when the dead member's commit did not happen.
 */
final class MemberLedger
{
    private final Map<Integer, List<Long>> confirmed = new HashMap<>();
    private final Map<Integer, Set<Long>> inFlight = new HashMap<>();

    void read(final List<String> lines)
    {
        final Map<Integer, List<Long>> pending = new HashMap<>();
        for (final String line : lines)
        {
            final String[] words = line.trim().split(" ");
            if (!line.matches("[PCRLX]( \\d+)*|READY"))
            {
                continue; // a line cut by a kill
            }
            switch (words[0])
            {
                case "P" -> pending.computeIfAbsent(Integer.parseInt(words[1]), p -> new ArrayList<>())
                    .add(Long.parseLong(words[2]));
                case "C", "R" ->
                {
                    for (int i = 1; i < words.length; i++)
                    {
                        final List<Long> done = pending.remove(Integer.parseInt(words[i]));
                        if (null != done)
                        {
                            confirmed.computeIfAbsent(Integer.parseInt(words[i]), p -> new ArrayList<>())
                                .addAll(done);
                        }
                    }
                }
                case "L" -> pending.remove(Integer.parseInt(words[1]));
                default ->
                {
                    // READY, or X: a failed commit; its records stay pending
                }
            }
        }
        pending.forEach((partition, offsets) ->
            inFlight.computeIfAbsent(partition, p -> new TreeSet<>()).addAll(offsets));
    }

    /**
     * @return whether the members consumed up to these ends.
     */
    boolean complete(final Map<Integer, Long> ends)
    {
        return ends.entrySet().stream().allMatch(end ->
        {
            final Set<Long> seen = new TreeSet<>(confirmed.getOrDefault(end.getKey(), List.of()));
            seen.addAll(inFlight.getOrDefault(end.getKey(), Set.of()));
            return seen.size() >= end.getValue();
        });
    }

    /**
     * @param ends each partition's high watermark, the log start being 0.
     * @return records consumed.
     */
    long assertExactlyOnce(final Map<Integer, Long> ends)
    {
        long total = 0;
        for (final Map.Entry<Integer, Long> end : ends.entrySet())
        {
            final List<Long> offsets = new ArrayList<>(confirmed.getOrDefault(end.getKey(), List.of()));
            final Set<Long> once = new TreeSet<>(offsets);
            assertEquals(once.size(), offsets.size(), "partition " + end.getKey() + ": a record committed twice");
            inFlight.getOrDefault(end.getKey(), Set.of()).stream().filter(o -> !once.contains(o)).forEach(once::add);
            assertEquals(end.getValue(), once.size(), "partition " + end.getKey() + ": every record consumed");
            assertTrue(once.isEmpty() || ((TreeSet<Long>)once).last() == end.getValue() - 1,
                "partition " + end.getKey() + ": no gap");
            total += once.size();
        }
        return total;
    }
}
