package io.portask.perf.load;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What a scenario needs while it runs: the broker, the options, the result it fills, the floor measurement, a
 * progress line, and the start of the measured phase (which starts the profiler when {@code --profile} is on).
 */
final class LoadRun implements AutoCloseable
{
    /** The floor's schedule is never tighter than this: a raw ping-pong with backoff idling needs ~50 us. */
    static final long MIN_FLOOR_INTERVAL_NS = TimeUnit.MICROSECONDS.toNanos(100);
    /** The floor's measured round trips at most. */
    static final int MAX_FLOOR_MESSAGES = 20_000;

    final Target target;
    final LoadOptions options;
    final RunResult result;
    final PrintStream out;
    final Path dir;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable ->
    {
        final Thread thread = new Thread(runnable, "load-phase-timer");
        thread.setDaemon(true);
        return thread;
    });
    private volatile long measuredStartNs;
    private Profiler profiler;
    private IOException profilerFailure;

    LoadRun(final Target target, final LoadOptions options, final RunResult result, final PrintStream out,
        final Path dir)
    {
        this.target = target;
        this.options = options;
        this.result = result;
        this.out = out;
        this.dir = dir;
    }

    /**
     * Measure the raw loopback TCP ping-pong with the broker's idle strategy, one in flight, and add it to the
     * result.
     *
     * @param name       series name.
     * @param intervalNs the scenario's schedule, 0 for closed loop; widened to at least 100 us.
     * @param size       bytes each way.
     * @param messages   measured round trips, capped at 20,000; a quarter as many again warm up first.
     * @return the floor series.
     * @throws IOException when the ping-pong fails.
     */
    Series floor(final String name, final long intervalNs, final int size, final long messages) throws IOException
    {
        final int count = (int)Math.min(MAX_FLOOR_MESSAGES, messages);
        final long interval = 0 == intervalNs ? 0 : Math.max(MIN_FLOOR_INTERVAL_NS, intervalNs);
        final Histogram histogram = EchoServer.pingPong(options.idle.newInstance(), size, count / 4, count, interval);
        final Series floor = new Series(name, histogram, null);
        result.add(floor);
        result.conditions().with("floor", "raw loopback TCP ping-pong, same size, JVM and idle strategy, " +
            (0 == interval ? "closed loop" : "one in flight every " + interval / 1000 + " us"));
        return floor;
    }

    /**
     * @param label progress line label.
     * @return a progress line, printing until closed.
     */
    Progress progress(final String label)
    {
        return new Progress(label, out);
    }

    /**
     * The measured phase starts now (the warm-up is over): note the time and start the profiler. Only the first
     * call counts.
     */
    synchronized void measuring()
    {
        if (0 != measuredStartNs)
        {
            return;
        }
        measuredStartNs = System.nanoTime();
        if (options.profile)
        {
            try
            {
                profiler = Profiler.start(dir);
            }
            catch (final IOException | RuntimeException | UnsatisfiedLinkError ex)
            {
                profilerFailure = new IOException("--profile: async-profiler did not start: " + ex.getMessage(), ex);
            }
        }
    }

    /**
     * @param nanoTime when the measured phase starts, e.g. the intended send time of the first measured message.
     */
    void measuringAt(final long nanoTime)
    {
        timer.schedule(this::measuring, Math.max(0, nanoTime - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /**
     * @return nanoTime the measured phase started at, or now when it has not.
     */
    long measuredStartNs()
    {
        final long start = measuredStartNs;
        return 0 == start ? System.nanoTime() : start;
    }

    /**
     * Stop the profiler, if running, write its flame graphs and note it in the result: when the scenario is over,
     * before the result is written.
     *
     * @throws IOException when the profiler failed.
     */
    public void close() throws IOException
    {
        timer.shutdownNow();
        if (null != profilerFailure)
        {
            throw profilerFailure;
        }
        if (null != profiler)
        {
            final var files = profiler.stop();
            result.note(profiler.describe() + "; flame graphs: " + files.get(0).getFileName() + ", " +
                files.get(1).getFileName());
            profiler = null;
        }
    }
}
