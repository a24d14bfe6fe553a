package io.portask.perf;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short run of {@code ./portask perf gateway} against a real broker and gateway: every table it reports, the
 * requests taking turns on one schedule, and the throughput lines with no failed request.
 */
class GatewayBenchmarkTest
{
    @Test
    void shouldReportTheHopAndThroughput() throws Exception
    {
        final String report = ToolOutput.of(() -> GatewayBenchmark.main(new String[] {"--messages", "100",
            "--warmup", "100", "--interval-us", "500", "--clients", "2", "--seconds", "1"}));
        for (final String row : new String[] {"TCP produce-ack us", "IPC rung us", "IPC unrung us", "HTTP /health us",
            "HTTP refused us", "HTTP publish us"})
        {
            assertTrue(report.contains(row), row + " missing from " + report);
        }
        assertTrue(report.matches("(?s).*1 record\\(s\\) per request: [1-9][\\d,]* requests/s.*, 0 failed.*"), report);
    }
}
