package io.portask.perf.load;

import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live progress line: once a second, on one line rewritten in place, the scenario, the elapsed time, the
 * messages sent, and per latency series the last second's count and p50/p99/max. Sampling also accumulates each
 * tracker's total, so the figures printed at the end include every value the line showed.
 */
final class Progress implements AutoCloseable
{
    private final String label;
    private final PrintStream out;
    private final List<LatencyTracker> trackers = new CopyOnWriteArrayList<>();
    private final AtomicLong sent = new AtomicLong();
    private final long startNs = System.nanoTime();
    private final Thread thread;
    private volatile boolean running = true;

    Progress(final String label, final PrintStream out)
    {
        this.label = label;
        this.out = out;
        thread = new Thread(this::run, "load-progress");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * @param name series name; several trackers may share one, they are merged.
     * @return a new tracker for one recording thread.
     */
    LatencyTracker tracker(final String name)
    {
        final LatencyTracker tracker = new LatencyTracker(name);
        trackers.add(tracker);
        return tracker;
    }

    /**
     * @return the sent-messages counter the senders increment.
     */
    AtomicLong sent()
    {
        return sent;
    }

    /**
     * @param name series name.
     * @return every value its trackers recorded, merged.
     */
    Histogram total(final String name)
    {
        final List<Histogram> parts = new ArrayList<>();
        trackers.stream().filter(t -> t.name().equals(name)).forEach(t -> parts.add(t.total()));
        return Percentiles.merge(parts);
    }

    private void run()
    {
        while (running)
        {
            try
            {
                TimeUnit.SECONDS.sleep(1);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            if (running)
            {
                // rewritten in place on a terminal, one line per second into a file or a test log
                out.print(null != System.console() ? "\r" + line() + "   " : line() + System.lineSeparator());
                out.flush();
            }
        }
    }

    String line()
    {
        final Map<String, List<Histogram>> intervals = new LinkedHashMap<>();
        for (final LatencyTracker tracker : trackers)
        {
            intervals.computeIfAbsent(tracker.name(), name -> new ArrayList<>()).add(tracker.sampleInterval());
        }
        final StringBuilder line = new StringBuilder(160).append(String.format(Locale.ROOT, "[%s] %5.1f s sent %,d",
            label, (System.nanoTime() - startNs) / 1e9, sent.get()));
        intervals.forEach((name, parts) ->
        {
            final Histogram merged = Percentiles.merge(parts);
            line.append(String.format(Locale.ROOT, " | %s %,d/s p50 %.0f p99 %.0f max %.0f us", name,
                merged.getTotalCount(), merged.getValueAtPercentile(50) / 1000.0,
                merged.getValueAtPercentile(99) / 1000.0, merged.getMaxValue() / 1000.0));
        });
        return line.toString();
    }

    public void close()
    {
        running = false;
        thread.interrupt();
        try
        {
            thread.join(2_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (null != System.console())
        {
            out.println();
        }
    }
}
