package io.portask.perf.peers;

import io.portask.perf.load.RunResult;
import io.portask.perf.load.Series;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short comparison of Portask (a real broker process) and Redis Streams (a real redis-server), each started
 * and stopped by the tool: both appear in one table beside the floor, and no server process outlives the run.
 * Kafka and NATS run the same code path in {@code portask perf compare-peers}; they are left out here for time.
 */
@Tag("slow")
class ComparePeersTest
{
    @TempDir
    Path dir;

    @Test
    void shouldMeasureEachPeerBesideTheFloorAndStopEveryServer() throws Exception
    {
        final ByteArrayOutputStream console = new ByteArrayOutputStream();

        final RunResult result = ComparePeers.run(List.of(new PortaskPeer(), new RedisStreamsPeer()),
            new ComparePeers.Sizes(300, 100, 3_000, 100, 500), dir, new PrintStream(console, true,
            StandardCharsets.UTF_8));

        final String text = console.toString(StandardCharsets.UTF_8);
        for (final String row : List.of("Portask 0.1.0 ack=journal", "Portask 0.1.0 ack=journal, raw frames, no SDK",
            "Portask 0.1.0 ack=journal, SDK sendSync, client idle busy-spin", "Redis "))
        {
            final Series series = result.series().stream().filter(s -> s.name().startsWith(row)).findFirst()
                .orElse(null);
            assertNotNull(series, row + " in " + text);
            assertEquals(300, series.histogram().getTotalCount(), row);
            assertNotNull(series.floor(), row);
        }
        assertEquals(2, result.throughputs().size(),
            "SDK Portask and Redis; raw frames and the spinning SDK are one in flight only");
        assertTrue(result.throughputs().stream().allMatch(t -> 3_000 == t.records() && t.recordsPerSecond() > 0));
        assertTrue(text.contains("records/s") && text.contains("p50 x fl"), text);
        assertTrue(Files.exists(dir.resolve("summary.json")));
        assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(),
            "every server the comparison started is stopped");
    }
}
