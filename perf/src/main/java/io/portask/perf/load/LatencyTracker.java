package io.portask.perf.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies recorded by client threads and sampled by another while the run goes on: recorders call
 * {@link #record(long)} (wait-free, no allocation, safe from any thread); the progress thread calls
 * {@link #sampleInterval()} each second, which also adds the interval into the running total, and
 * {@link #total()} at the end.
 */
final class LatencyTracker
{
    private final String name;
    private final Recorder recorder = new Recorder(3_600_000_000_000L,
        Percentiles.SIGNIFICANT_DIGITS);
    private final Histogram total = Percentiles.newHistogram();
    private Histogram interval;

    LatencyTracker(final String name)
    {
        this.name = name;
    }

    String name()
    {
        return name;
    }

    /**
     * Record one latency; from any thread.
     *
     * @param latencyNs nanoseconds, clamped to at least 0.
     */
    void record(final long latencyNs)
    {
        recorder.recordValue(Math.max(0, latencyNs));
    }

    /**
     * @return what was recorded since the last sample; also added into the total.
     */
    synchronized Histogram sampleInterval()
    {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        return interval;
    }

    /**
     * @return a copy of everything recorded so far.
     */
    synchronized Histogram total()
    {
        sampleInterval();
        return total.copy();
    }
}
