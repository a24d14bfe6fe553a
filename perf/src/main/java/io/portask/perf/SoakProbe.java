package io.portask.perf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the soak samples of the broker process from outside it: resident memory (in all, anonymous, and file-backed
 * or shared: the journal's mapped files and the counters file) and thread count from {@code /proc/PID/status}, open
 * descriptors from {@code /proc/PID/fd}, and the heap retained after the last collection from {@code jstat -gc}
 * (survivor and old generation used: what the last collection kept; eden is excluded, so allocation between
 * collections does not show as growth). Nothing of that makes the broker collect; {@link #liveHeap()} does (a full
 * collection, through {@code jcmd GC.class_histogram}), so the soak calls it twice only.
 */
final class SoakProbe
{
    private final long pid;
    private static final Pattern HISTOGRAM_ROW = Pattern.compile("(?m)^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)");
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)");

    private final Path jstat = Path.of(System.getProperty("java.home"), "bin", "jstat");
    private final Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");

    /**
     * Resident memory, KiB.
     *
     * @param rssKb  all of it (VmRSS).
     * @param anonKb anonymous: heap, direct buffers, thread stacks, malloc (RssAnon).
     * @param fileKb file-backed and shared: mapped journal files, the counters file, jars (RssFile + RssShmem).
     */
    record Resident(long rssKb, long anonKb, long fileKb)
    {
    }

    /**
     * The live heap after a full collection.
     *
     * @param bytes        every live object's bytes.
     * @param bytesByClass each class's.
     */
    record LiveHeap(long bytes, Map<String, Long> bytesByClass)
    {
    }

    SoakProbe(final long pid)
    {
        this.pid = pid;
    }

    Resident resident() throws IOException
    {
        return new Resident(statusField("VmRSS:"), statusField("RssAnon:"),
            statusField("RssFile:") + statusField("RssShmem:"));
    }

    /**
     * @return the live heap, after the full collection {@code GC.class_histogram} makes; null when jcmd could not
     * read the process.
     */
    LiveHeap liveHeap() throws IOException, InterruptedException
    {
        final String text = run(jcmd.toString(), Long.toString(pid), "GC.class_histogram");
        return null == text ? null : liveHeap(text);
    }

    /**
     * @param classHistogram the output of {@code jcmd PID GC.class_histogram}.
     * @return its total and per-class bytes, or null when the output has no total.
     */
    static LiveHeap liveHeap(final String classHistogram)
    {
        final Matcher total = HISTOGRAM_TOTAL.matcher(classHistogram);
        if (!total.find())
        {
            return null;
        }
        final Map<String, Long> byClass = new HashMap<>();
        final Matcher row = HISTOGRAM_ROW.matcher(classHistogram);
        while (row.find())
        {
            byClass.merge(row.group(2), Long.parseLong(row.group(1)), Long::sum);
        }
        return new LiveHeap(Long.parseLong(total.group(1)), byClass);
    }

    long threads() throws IOException
    {
        return statusField("Threads:");
    }

    long fds() throws IOException
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd")))
        {
            return fds.count();
        }
    }

    /**
     * @return KiB of heap the last collection kept, or -1 when jstat could not read the process.
     */
    long heapAfterGcKb() throws IOException, InterruptedException
    {
        final String text = run(jstat.toString(), "-gc", Long.toString(pid));
        return null == text ? -1 : retainedKb(text);
    }

    private static String run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return process.waitFor(60, TimeUnit.SECONDS) && 0 == process.exitValue() ? text : null;
    }

    /**
     * @param jstatGc the output of {@code jstat -gc}: a header line and a line of values.
     * @return S0U + S1U + OU in KiB, or -1 when the output is not that.
     */
    static long retainedKb(final String jstatGc)
    {
        final String[] lines = jstatGc.strip().split("\n");
        if (lines.length < 2)
        {
            return -1;
        }
        final String[] names = lines[0].strip().split("\\s+");
        final String[] values = lines[1].strip().split("\\s+");
        double sum = 0;
        int found = 0;
        for (int i = 0; i < names.length && i < values.length; i++)
        {
            if ("S0U".equals(names[i]) || "S1U".equals(names[i]) || "OU".equals(names[i]))
            {
                sum += Double.parseDouble(values[i]);
                found++;
            }
        }
        return 3 == found ? Math.round(sum) : -1;
    }

    private long statusField(final String name) throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")))
        {
            if (line.startsWith(name))
            {
                return Long.parseLong(line.substring(name.length()).strip().split("\\s+")[0]);
            }
        }
        throw new IOException("no " + name + " in /proc/" + pid + "/status");
    }
}
