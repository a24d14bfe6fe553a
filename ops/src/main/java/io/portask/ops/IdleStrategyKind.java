package io.portask.ops;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * The idle strategies a broker thread may use between polls that found no work.
 */
public enum IdleStrategyKind
{
    /** Spin, then yield, then park up to {@code portask.idle.max.park.us} (1 ms): the default, friendly to shared
     * cores. */
    BACKOFF,
    /** Spin with Thread.onSpinWait: lowest latency, one core per thread. */
    BUSY_SPIN,
    /** Thread.yield. */
    YIELDING,
    /** Sleep 1 ms: for idle test hosts. */
    SLEEPING,
    /** Return at once: a pure spin with no pause instruction. */
    NOOP;

    /** The longest park of {@link #BACKOFF} unless configured. */
    public static final long DEFAULT_MAX_PARK_NS = 1_000_000;

    /**
     * @return a new instance of the strategy; strategies hold state, so one per thread.
     */
    public IdleStrategy newInstance()
    {
        return newInstance(DEFAULT_MAX_PARK_NS);
    }

    /**
     * @param maxParkNs the longest park of {@link #BACKOFF}: how long work that arrives with no wake-up (Aeron IPC
     *                  from a gateway; on the shared thread, TCP too) may wait, against idle CPU.
     * @return a new instance of the strategy.
     */
    public IdleStrategy newInstance(final long maxParkNs)
    {
        return switch (this)
        {
            case BACKOFF -> new BackoffIdleStrategy(10, 20, Math.min(1_000, maxParkNs), maxParkNs);
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            case YIELDING -> new YieldingIdleStrategy();
            case SLEEPING -> new SleepingMillisIdleStrategy(1);
            case NOOP -> new NoOpIdleStrategy();
        };
    }
}
