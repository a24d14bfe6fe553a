package io.portask.core;

import io.portask.protocol.CounterFactory;
import org.agrona.CloseHelper;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * A Prometheus-style histogram kept in counters: one counter per bucket (its own count, not cumulative; the gateway
 * sums them into {@code _bucket{le=...}}) and one of the sum in microseconds. Recording is a scan of 16 bounds and
 * two single-writer increments: no allocation, no lock.
 * <p>
 * Threading: one writer (the core agent); readers through the counters file.
 */
final class LatencyHistogram implements AutoCloseable
{
    /** Upper bounds of the buckets in seconds, as Prometheus names them; the last bucket is +Inf. */
    static final String[] BOUNDS = {
        "0.00001", "0.000025", "0.00005", "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
        "0.025", "0.05", "0.1", "0.25", "1", "+Inf",
    };
    /** The kind of the counter that holds the sum. */
    static final String SUM = "sum_us";

    private final long[] boundsNs = new long[BOUNDS.length - 1];
    private final AtomicCounter[] buckets = new AtomicCounter[BOUNDS.length];
    private final AtomicCounter sumUs;

    LatencyHistogram(final CounterFactory factory, final int typeId, final String label)
    {
        for (int i = 0; i < BOUNDS.length; i++)
        {
            if (i < boundsNs.length)
            {
                boundsNs[i] = Math.round(Double.parseDouble(BOUNDS[i]) * 1e9);
            }
            buckets[i] = factory.newCounter(typeId, null, -1, BOUNDS[i], label + " le " + BOUNDS[i] + " s");
        }
        sumUs = factory.newCounter(typeId, null, -1, SUM, label + " sum us");
    }

    /**
     * @param nanos one observation.
     */
    void record(final long nanos)
    {
        int bucket = 0;
        while (bucket < boundsNs.length && nanos > boundsNs[bucket])
        {
            bucket++;
        }
        buckets[bucket].incrementRelease();
        sumUs.getAndAddRelease(Math.max(0, nanos) / 1_000);
    }

    public void close()
    {
        CloseHelper.closeAll(buckets);
        CloseHelper.close(sumUs);
    }
}
