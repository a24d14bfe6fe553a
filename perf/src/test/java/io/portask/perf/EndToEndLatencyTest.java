package io.portask.perf;

import io.portask.core.ThreadingMode;
import io.portask.ops.IdleStrategyKind;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short run of the end-to-end harness against a real in-process broker: it completes, records every round
 * trip and reports its table. Asserts structure, never a speed.
 */
class EndToEndLatencyTest
{
    @Test
    void shouldMeasureRawAndBrokerRoundTripsAndReportBoth()
    {
        final long intervalNs = 200_000;
        final Histogram raw = assertDoesNotFail(() ->
            EndToEndLatency.rawPingPong(IdleStrategyKind.BACKOFF, 100, 50, 300, intervalNs));
        final Histogram broker = assertDoesNotFail(() ->
            EndToEndLatency.produceAck(ThreadingMode.SHARED, IdleStrategyKind.BACKOFF, 100, 50, 300, intervalNs));
        assertEquals(300, raw.getTotalCount());
        assertEquals(300, broker.getTotalCount());
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        EndToEndLatency.report(new PrintStream(text, true, StandardCharsets.UTF_8), "shared/backoff", raw, broker);
        final String report = text.toString(StandardCharsets.UTF_8);
        assertTrue(report.contains("raw TCP ping-pong us") && report.contains("produce-ack us") &&
            report.contains("ratio") && report.contains("p99.9"), report);
    }

    @Test
    void shouldMeasureWriteBehindOffOnAndDragonflyOnlyAgainstOneRedis(
        @org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir) throws Exception
    {
        // the three latency runs of perf writebehind share one redis-server: each must count only its own records
        try (io.portask.testsupport.RedisServer redis =
            new io.portask.testsupport.RedisServer(dir.resolve("redis"), null).start())
        {
            WriteBehindBenchmark.latency(redis, 300, 100, 100_000);
        }
    }

    private interface Run
    {
        Histogram run() throws Exception;
    }

    private static Histogram assertDoesNotFail(final Run run)
    {
        try
        {
            return run.run();
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }
}
