package io.portask.perf;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short run of {@code ./portask perf writebehind} against a real redis-server: throughput to Dragonfly, the
 * steady lag, and produce-ack latency with write-behind off and on taking turns in blocks.
 */
class WriteBehindBenchmarkTest
{
    @Test
    void shouldReportThroughputLagAndLatencyInTurns() throws Exception
    {
        final String report = ToolOutput.of(() -> WriteBehindBenchmark.main(new String[] {"--records", "2000",
            "--rate", "1000", "--seconds", "1", "--partitions", "2", "--messages", "200", "--warmup", "100",
            "--interval-us", "1000"}));
        assertTrue(report.contains("steady lag at 1,000 records/s"), report);
        assertTrue(report.contains("latency block 9:") && report.contains("10 blocks of 20 each"), report);
        assertTrue(report.contains("write-behind off us") && report.contains("write-behind on us") &&
            report.contains("dragonfly-only us"), report);
    }
}
