package io.portask.perf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the soak samples of the broker process from outside it: resident memory and thread count from
 * {@code /proc/PID/status}, open descriptors from {@code /proc/PID/fd}, and the heap retained after the last
 * collection from {@code jstat -gc} (survivor and old generation used: what the last collection kept; eden is
 * excluded, so allocation between collections does not show as growth). Nothing here makes the broker collect.
 */
final class SoakProbe
{
    private final long pid;
    private final Path jstat = Path.of(System.getProperty("java.home"), "bin", "jstat");

    SoakProbe(final long pid)
    {
        this.pid = pid;
    }

    long rssKb() throws IOException
    {
        return statusField("VmRSS:");
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
        final Process process = new ProcessBuilder(jstat.toString(), "-gc", Long.toString(pid))
            .redirectErrorStream(true).start();
        final String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || 0 != process.exitValue())
        {
            return -1;
        }
        return retainedKb(text);
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
