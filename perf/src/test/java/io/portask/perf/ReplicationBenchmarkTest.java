package io.portask.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short replication run against real broker processes (one alone, three as a cluster): the latency table, the
 * throughput line and one failover. The measurement is {@code ./portask perf replication}.
 */
class ReplicationBenchmarkTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReportLatencyThroughputAndAFailover() throws Exception
    {
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        ReplicationBenchmark.run(new ReplicationBenchmark.Options(
            100, 20, TimeUnit.MILLISECONDS.toNanos(5), 1, 2, 1, List.of()), dir,
            new PrintStream(text, true, StandardCharsets.UTF_8));
        final String report = text.toString(StandardCharsets.UTF_8);
        assertTrue(report.contains("1 node, JOURNAL us") && report.contains("3 nodes, QUORUM us"), report);
        assertTrue(report.matches("(?s).*1 node JOURNAL [1-9][\\d,]* rec/s, 3 nodes QUORUM [1-9][\\d,]* rec/s.*"),
            report);
        assertTrue(report.matches("(?s).*first ack from the new one\\), ms: \\[\\d+\\].*"), report);
    }
}
