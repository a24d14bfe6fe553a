package io.portask.perf.load;

/**
 * An open-loop send schedule: message {@code i} is due at {@code startNs + i * intervalNs}. Latency is measured
 * from that intended time, not from when the message actually went out, so a stall that delays the sender also
 * counts against every message queued behind it (no coordinated omission).
 *
 * @param startNs    {@link System#nanoTime()} at which message 0 is due.
 * @param intervalNs spacing between messages; 0 for a closed loop, where there is no schedule.
 */
public record Schedule(long startNs, long intervalNs)
{
    /**
     * @param startNs    when message 0 is due.
     * @param perSecond  messages per second, at least 1.
     * @return the schedule.
     */
    public static Schedule ofRate(final long startNs, final long perSecond)
    {
        if (perSecond < 1 || perSecond > 1_000_000_000L)
        {
            throw new IllegalArgumentException("rate must be 1 to 1e9 messages per second: " + perSecond);
        }
        return new Schedule(startNs, 1_000_000_000L / perSecond);
    }

    /**
     * @param sequence message number from 0.
     * @return when it was due, in nanoTime.
     */
    public long intendedNs(final long sequence)
    {
        return startNs + sequence * intervalNs;
    }

    /**
     * @param sequence    message number from 0.
     * @param completedNs when its answer arrived.
     * @return latency from the intended send time.
     */
    public long latencyNs(final long sequence, final long completedNs)
    {
        return completedNs - intendedNs(sequence);
    }

    /**
     * @return the rate in messages per second this schedule keeps, 0 for a closed loop.
     */
    public long perSecond()
    {
        return 0 == intervalNs ? 0 : 1_000_000_000L / intervalNs;
    }
}
