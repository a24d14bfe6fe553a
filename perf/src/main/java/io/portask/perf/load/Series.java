package io.portask.perf.load;

import org.HdrHistogram.Histogram;

/**
 * One latency distribution of a run, in nanoseconds, with the floor it is compared with.
 *
 * @param name      what was measured, e.g. "produce-ack".
 * @param histogram the latencies.
 * @param floor     the raw TCP ping-pong measured in the same run, or null when this is a floor.
 */
public record Series(String name, Histogram histogram, Series floor)
{
    /**
     * @param percentile e.g. 99.9, or 100 for the max.
     * @return the ratio to the floor at that percentile, NaN for a floor itself.
     */
    public double ratio(final double percentile)
    {
        return null == floor ? Double.NaN : Percentiles.ratio(histogram, floor.histogram, percentile);
    }
}
