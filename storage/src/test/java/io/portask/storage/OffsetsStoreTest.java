package io.portask.storage;

import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The offsets store on a real Chronicle Queue with a settable clock: continuous commits do not grow it for ever
 * (once an hour's file is behind, the live entries are written again and older files deleted), the latest offset
 * of each group and partition and of each group member survives compaction and reopen, and a deleted topic's
 * offsets and a removed member go.
 */
class OffsetsStoreTest
{
    private static final long HOUR = 60 * 60 * 1000L;

    @TempDir
    File dir;

    private final SetTimeProvider clock = new SetTimeProvider(1_800_000_000_000L);

    @Test
    void shouldCompactToTheLiveEntriesOnceAnOlderFileExistsAndKeepTheLatestAcrossAReopen() throws IOException
    {
        try (OffsetsStore store = new OffsetsStore(dir, clock))
        {
            store.load((group, topic, partition, offset) ->
            {
            }, (group, member, state) ->
            {
            });
            for (int i = 0; i < 30_000; i++)
            {
                store.commit("g" + i % 3, i % 2 == 0 ? "orders" : "gone", i % 5, i);
                store.member("g0", "m" + i % 4, new byte[]{ (byte)i });
            }
            store.member("g0", "m3", null);
            assertEquals(0, store.filesDeleted(), "nothing to delete within the first hour's file");
            store.topicDeleted("gone");
            clock.advanceMillis(HOUR);
            store.commit("g0", "orders", 0, 1_000_000);
            assertEquals(1, store.filesDeleted(), "the first hour's file, every entry in it superseded");
            assertEquals(1, cycleFiles().size());
        }
        final Map<String, Long> replayed = new TreeMap<>();
        final Map<String, byte[]> members = new TreeMap<>();
        try (OffsetsStore store = new OffsetsStore(dir, clock))
        {
            store.load((group, topic, partition, offset) -> replayed.put(group + "/" + topic + "/" + partition, offset),
                (group, member, state) -> members.put(group + "/" + member, state));
            assertEquals(replayed.size() + members.size(), store.liveEntries());
        }
        assertEquals(List.of("g0/m0", "g0/m1", "g0/m2"), List.copyOf(members.keySet()), "m3 left");
        assertEquals((byte)29_998, members.get("g0/m2")[0], "each member's latest state: i=29998 for m2");
        assertEquals(15, replayed.size(), "3 groups x 5 partitions of orders; none of the deleted topic");
        assertEquals(1_000_000L, replayed.get("g0/orders/0"));
        assertEquals(29_998L, replayed.get("g1/orders/3"), "the last commit of g1 on orders/3: i=29998");
        assertTrue(replayed.keySet().stream().noneMatch(key -> key.contains("gone")));
    }

    private List<Path> cycleFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(dir.toPath()))
        {
            return files.filter(p -> p.toString().endsWith(".cq4")).toList();
        }
    }
}
