package io.portask.perf.load;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScheduleTest
{
    private static final long MS = 1_000_000;

    @Test
    void shouldDueEachMessageOneIntervalAfterTheLast()
    {
        final Schedule schedule = Schedule.ofRate(5_000, 1_000);

        assertEquals(MS, schedule.intervalNs());
        assertEquals(5_000, schedule.intendedNs(0));
        assertEquals(5_000 + 3 * MS, schedule.intendedNs(3));
        assertEquals(1_000, schedule.perSecond());
        assertThrows(IllegalArgumentException.class, () -> Schedule.ofRate(0, 0));
    }

    @Test
    void shouldChargeAStallToEveryMessageQueuedBehindIt()
    {
        // a server that answers in 100 us, but stalls 50 ms once at message 100; one message due every 1 ms.
        // The sender cannot send while stalled, so messages 101..149 go late and are answered in a burst.
        final Schedule schedule = new Schedule(0, MS);
        final Histogram fromIntended = Percentiles.newHistogram();
        final Histogram fromActualSend = Percentiles.newHistogram();
        long serverFreeAt = 0;
        for (long i = 0; i < 1_000; i++)
        {
            final long sentAt = Math.max(schedule.intendedNs(i), serverFreeAt);
            final long answeredAt = sentAt + (100 == i ? 50 * MS : 100_000);
            serverFreeAt = answeredAt;
            fromIntended.recordValue(schedule.latencyNs(i, answeredAt));
            fromActualSend.recordValue(answeredAt - sentAt);
        }

        // measured from the actual send (coordinated omission) only one message in 1,000 looks slow
        assertEquals(100_000, fromActualSend.getValueAtPercentile(99), 1_000);
        // from the intended time the 49 messages behind the stall count too: about 5% are slow
        assertTrue(fromIntended.getValueAtPercentile(99) > 25 * MS, "p99 " + fromIntended.getValueAtPercentile(99));
        assertTrue(fromIntended.getValueAtPercentile(95) > MS, "p95 " + fromIntended.getValueAtPercentile(95));
        assertEquals(50 * MS, fromIntended.getMaxValue(), 50 * MS / 1000.0);
        // message 101, due at 101 ms, could only go at 150 ms: 49.1 ms from its intended time
        assertEquals(49 * MS + 100_000, schedule.latencyNs(101, 150 * MS + 100_000));
    }
}
