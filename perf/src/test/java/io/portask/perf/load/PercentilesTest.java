package io.portask.perf.load;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PercentilesTest
{
    @Test
    void shouldMergeHistogramsSoPercentilesCoverEveryValue()
    {
        final Histogram fast = Percentiles.newHistogram();
        final Histogram slow = Percentiles.newHistogram();
        for (int i = 0; i < 900; i++)
        {
            fast.recordValue(10_000);
        }
        for (int i = 0; i < 100; i++)
        {
            slow.recordValue(1_000_000);
        }

        final Histogram merged = Percentiles.merge(List.of(fast, slow));

        assertEquals(1000, merged.getTotalCount());
        assertEquals(10_000, merged.getValueAtPercentile(50), 10);
        assertEquals(1_000_000, merged.getValueAtPercentile(95), 1_000);
        assertEquals(1_000_000, merged.getMaxValue(), 1_000);
        assertEquals(900, fast.getTotalCount(), "the parts are left unchanged");
    }

    @Test
    void shouldGiveTheRatioToTheFloorAtEachPercentileAndTheMax()
    {
        final Histogram floor = Percentiles.newHistogram();
        final Histogram measured = Percentiles.newHistogram();
        for (int i = 1; i <= 100; i++)
        {
            floor.recordValue(i * 1_000L);
            measured.recordValue(i * 3_000L);
        }

        assertEquals(3.0, Percentiles.ratio(measured, floor, 50), 0.01);
        assertEquals(3.0, Percentiles.ratio(measured, floor, 99), 0.01);
        assertEquals(3.0, Percentiles.ratio(measured, floor, 100), 0.01);
        assertTrue(Double.isNaN(Percentiles.ratio(measured, Percentiles.newHistogram(), 50)));
    }

    @Test
    void shouldLabelPercentilesAndTheMax()
    {
        assertEquals("p50", Percentiles.label(50));
        assertEquals("p99.9", Percentiles.label(99.9));
        assertEquals("p99.99", Percentiles.label(99.99));
        assertEquals("max", Percentiles.label(100));
    }
}
