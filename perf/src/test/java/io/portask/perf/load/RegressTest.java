package io.portask.perf.load;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegressTest
{
    @Test
    void shouldFailALatencyRatioAboveItsLimitAndAThroughputBelowIt()
    {
        assertFalse(new Regress.Outcome("a p50", 1.9, 1.3, 0.5, false).regressed());
        assertTrue(new Regress.Outcome("a p50", 2.0, 1.3, 0.5, false).regressed());
        assertFalse(new Regress.Outcome("t", 2.6, 5.0, 0.5, true).regressed());
        assertTrue(new Regress.Outcome("t", 2.4, 5.0, 0.5, true).regressed());
        assertTrue(new Regress.Outcome("missing", Double.NaN, 1.0, 0.5, false).regressed());
    }

    @Test
    void shouldMeasureRatiosToTheFloorAndThroughputPerFloorRoundTrip()
    {
        final Series floor = new Series("raw TCP ping-pong", histogram(10_000), null);
        final RunResult result = new RunResult("closed-loop", new Conditions())
            .add(floor)
            .add(new Series("produce-ack", histogram(25_000), floor))
            .add(new Throughput("produced", 1_000_000, 100_000_000, 2_000_000_000L));

        assertEquals(2.5, Regress.measure(result, "produce-ack", "p50"), 0.01);
        // 500,000 records/s x 10 us floor round trip = 5 records per round trip
        assertEquals(5.0, Regress.measure(result, "produced", "throughput"), 0.01);
        assertTrue(Double.isNaN(Regress.measure(result, "absent", "p50")));
    }

    @Test
    void shouldReportEachVerdictInMarkdown()
    {
        final String md = Regress.markdown(Path.of("b.json"), List.of(
            new Regress.Outcome("closed-loop produce-ack p50", 1.2, 1.3, 0.5, false),
            new Regress.Outcome("throughput produced throughput", 1.0, 5.0, 0.5, true)), List.of("cores 2"));

        assertTrue(md.contains("| PASS | closed-loop produce-ack p50 | 1.20 | 1.30 | 1.95 |"), md);
        assertTrue(md.contains("| **REGRESSION** | throughput produced throughput | 1.00 | 5.00 | 2.50 |"), md);
        assertTrue(md.contains("- cores 2"), md);
    }

    private static Histogram histogram(final long value)
    {
        final Histogram histogram = Percentiles.newHistogram();
        histogram.recordValue(value);
        return histogram;
    }
}
