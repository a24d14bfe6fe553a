package io.portask.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The soak's samples and what they say: for each resource a least-squares line over the samples after the warm-up
 * (the first minute, or the first third of a shorter run), its slope per minute and the growth it implies over
 * the sampled span as a share of the mean. A resource is called flat when that growth is under 5 % of its mean
 * (descriptors and threads: under one). Written as {@code report.md}, {@code samples.csv} and {@code soak.svg}.
 */
final class SoakReport
{
    private static final double FLAT_SHARE = 0.05;

    /**
     * One sample period. Latencies in microseconds, memory in KiB; lags in records (acked minus consumed).
     * {@code rssKb} is {@code anonKb + fileKb}: anonymous memory (heap, direct buffers, stacks, malloc) and
     * file-backed or shared pages (the journal's mapped files, the counters file); {@code tierKb} is what the memory
     * tier holds (its segments are direct buffers, so part of the anonymous memory).
     */
    record Sample(long seconds, long rssKb, long anonKb, long fileKb, long tierKb, long heapKb, long fds,
        long threads, long p50Us, long p99Us, long maxUs, long recordsPerSecond, long pushLag, long fetchLag,
        long groupLag, long writeBehindLag)
    {
        static final String CSV_HEADER = "seconds,rss_kb,rss_anon_kb,rss_file_kb,memory_tier_kb,heap_after_gc_kb," +
            "fds,threads,p50_us,p99_us,max_us,records_per_s,push_lag,fetch_lag,group_lag,write_behind_lag";

        String csv()
        {
            return String.join(",", List.of(seconds, rssKb, anonKb, fileKb, tierKb, heapKb, fds, threads, p50Us,
                p99Us, maxUs, recordsPerSecond, pushLag, fetchLag, groupLag, writeBehindLag).stream()
                .map(String::valueOf).toList());
        }

        String line()
        {
            return String.format(Locale.ROOT, "%5d s  rss %,d KiB (anon %,d, file %,d; tier %,d)  heap %,d KiB  " +
                "fds %d  threads %d  p50 %,d us  p99 %,d us  max %,d us  %,d rec/s  lag push %,d fetch %,d " +
                "group %,d write-behind %,d", seconds, rssKb, anonKb, fileKb, tierKb, heapKb, fds, threads, p50Us,
                p99Us, maxUs, recordsPerSecond, pushLag, fetchLag, groupLag, writeBehindLag);
        }
    }

    /**
     * The live heap at a moment of the run (a full collection's class histogram).
     */
    record LiveHeapAt(long seconds, SoakProbe.LiveHeap heap)
    {
    }

    /**
     * A fitted trend.
     *
     * @param name        what was sampled, with its unit.
     * @param mean        mean over the fitted samples.
     * @param perMinute   slope of the fitted line per minute.
     * @param growth      slope times the fitted span.
     * @param flat        growth under 5 % of the mean (counts: under one).
     */
    record Trend(String name, double mean, double perMinute, double growth, boolean flat)
    {
    }

    private final String conditions;
    private final List<Sample> samples = new ArrayList<>();
    private final List<LiveHeapAt> liveHeaps = new ArrayList<>();
    private long failedSends;

    SoakReport(final String conditions)
    {
        this.conditions = conditions;
    }

    void add(final Sample sample)
    {
        samples.add(sample);
    }

    void failed(final long sends)
    {
        failedSends = sends;
    }

    List<Sample> samples()
    {
        return samples;
    }

    void liveHeap(final long seconds, final SoakProbe.LiveHeap heap)
    {
        if (null != heap)
        {
            liveHeaps.add(new LiveHeapAt(seconds, heap));
        }
    }

    List<LiveHeapAt> liveHeaps()
    {
        return liveHeaps;
    }

    /**
     * @return the first and last live heaps compared: growth, per minute, and the classes that grew most.
     */
    String liveHeapMarkdown()
    {
        if (liveHeaps.isEmpty())
        {
            return "Live heap: not measured (jcmd could not read the broker).\n";
        }
        final StringBuilder text = new StringBuilder("Live heap after a full collection (jcmd GC.class_histogram):");
        liveHeaps.forEach(at -> text.append(String.format(Locale.ROOT, " %,d KiB at %d s;", at.heap().bytes() / 1024,
            at.seconds())));
        text.setLength(text.length() - 1);
        text.append(".\n");
        if (liveHeaps.size() > 1)
        {
            final LiveHeapAt first = liveHeaps.getFirst();
            final LiveHeapAt last = liveHeaps.getLast();
            final double minutes = Math.max(1, last.seconds() - first.seconds()) / 60.0;
            final long grown = last.heap().bytes() - first.heap().bytes();
            text.append(String.format(Locale.ROOT, "Growth %+,d KiB (%+,.1f KiB/min). Classes that grew most:%n%n",
                grown / 1024, grown / 1024.0 / minutes));
            text.append("| class | KiB then | KiB at the end | growth KiB |\n|---|---|---|---|\n");
            final Map<String, Long> before = first.heap().bytesByClass();
            final Map<String, Long> after = last.heap().bytesByClass();
            after.keySet().stream()
                .sorted(Comparator.comparingLong((String name) -> after.get(name) - before.getOrDefault(name, 0L))
                .reversed()).limit(8)
                .forEach(name -> text.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %+,d |%n", name,
                before.getOrDefault(name, 0L) / 1024, after.get(name) / 1024,
                (after.get(name) - before.getOrDefault(name, 0L)) / 1024)));
        }
        return text.toString();
    }

    List<Trend> trends()
    {
        final long last = samples.isEmpty() ? 0 : samples.getLast().seconds();
        final long warmup = Math.min(60, last / 3);
        return trends(samples.stream().filter(sample -> sample.seconds() > warmup).toList());
    }

    /**
     * @return the second of the first sample where the memory tier held its most (it fills to its bound and then
     *         only turns over, so growth before that is the tier filling); -1 when it never stopped growing, held
     *         nothing, or fewer than 3 samples follow.
     */
    long tierFullSince()
    {
        final long most = samples.stream().mapToLong(Sample::tierKb).max().orElse(0);
        final List<Sample> full = samples.stream().dropWhile(sample -> sample.tierKb() < most).toList();
        return most <= 0 || full.size() < 3 || full.size() == samples.size() ? -1 : full.getFirst().seconds();
    }

    /**
     * @return the trends from {@link #tierFullSince()} on, or empty when it is -1.
     */
    List<Trend> trendsOnceTierFull()
    {
        final long since = tierFullSince();
        return since < 0 ? List.of() : trends(samples.stream().filter(sample -> sample.seconds() >= since).toList());
    }

    private static List<Trend> trends(final List<Sample> fitted)
    {
        return List.of(
            trend("RSS (KiB)", fitted, Sample::rssKb, false),
            trend("RSS anonymous (KiB)", fitted, Sample::anonKb, false),
            trend("RSS file-backed (KiB)", fitted, Sample::fileKb, false),
            trend("memory tier held (KiB)", fitted, Sample::tierKb, false),
            trend("heap after GC (KiB)", fitted, Sample::heapKb, false),
            trend("open descriptors", fitted, Sample::fds, true),
            trend("threads", fitted, Sample::threads, true),
            trend("produce-ack p99 (us)", fitted, Sample::p99Us, false));
    }

    static Trend trend(final String name, final List<Sample> fitted, final ToLongFunction<Sample> metric,
        final boolean count)
    {
        final int n = fitted.size();
        if (n < 2)
        {
            return new Trend(name, n == 1 ? metric.applyAsLong(fitted.getFirst()) : 0, 0, 0, true);
        }
        double meanX = 0;
        double meanY = 0;
        for (final Sample sample : fitted)
        {
            meanX += sample.seconds() / 60.0 / n;
            meanY += (double)metric.applyAsLong(sample) / n;
        }
        double covariance = 0;
        double variance = 0;
        for (final Sample sample : fitted)
        {
            final double dx = sample.seconds() / 60.0 - meanX;
            covariance += dx * (metric.applyAsLong(sample) - meanY);
            variance += dx * dx;
        }
        final double slope = covariance / variance;
        final double span = (fitted.getLast().seconds() - fitted.getFirst().seconds()) / 60.0;
        final double growth = slope * span;
        final boolean flat = count ? growth < 1 : growth < FLAT_SHARE * Math.abs(meanY);
        return new Trend(name, meanY, slope, growth, flat);
    }

    String toMarkdown()
    {
        final StringBuilder text = new StringBuilder("# Soak\n\n").append(conditions).append("\n\n");
        trendTable(text, "trend after warm-up", trends());
        if (tierFullSince() >= 0)
        {
            text.append('\n');
            trendTable(text, "trend once the memory tier is full (from " + tierFullSince() + " s)",
                trendsOnceTierFull());
        }
        text.append(String.format(Locale.ROOT, "%nSends failed: %,d.%n%n", failedSends));
        text.append(liveHeapMarkdown()).append('\n');
        text.append("| s | RSS KiB | anon KiB | file KiB | tier KiB | heap KiB | fds | threads | p50 us | p99 us | " +
            "max us | rec/s | lag push | lag fetch | lag group | lag write-behind |\n" +
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (final Sample sample : samples)
        {
            text.append("| ").append(sample.csv().replace(",", " | ")).append(" |\n");
        }
        return text.toString();
    }

    private static void trendTable(final StringBuilder text, final String title, final List<Trend> trends)
    {
        text.append("| ").append(title).append(" | mean | slope per minute | growth over the span | flat |\n")
            .append("|---|---|---|---|---|\n");
        for (final Trend trend : trends)
        {
            text.append(String.format(Locale.ROOT, "| %s | %,.1f | %+,.2f | %+,.1f (%+.1f %%) | %s |%n", trend.name(),
                trend.mean(), trend.perMinute(), trend.growth(),
                0 == trend.mean() ? 0 : 100 * trend.growth() / trend.mean(), trend.flat() ? "yes" : "NO"));
        }
    }

    void write(final Path dir) throws IOException
    {
        Files.writeString(dir.resolve("report.md"), toMarkdown());
        final StringBuilder csv = new StringBuilder(Sample.CSV_HEADER).append('\n');
        samples.forEach(sample -> csv.append(sample.csv()).append('\n'));
        Files.writeString(dir.resolve("samples.csv"), csv);
        Files.writeString(dir.resolve("soak.svg"), SoakPlot.svg(conditions, samples));
    }
}
