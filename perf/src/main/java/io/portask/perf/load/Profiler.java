package io.portask.perf.load;

import one.convert.Arguments;
import one.convert.JfrToFlame;
import one.profiler.AsyncProfiler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * async-profiler, loaded from its Maven artifact into this JVM, sampling CPU and allocations together during a
 * run's measured phase into one JFR recording, then turned into two flame graphs ({@code cpu-flame.html},
 * {@code alloc-flame.html}) with the converter artifact.
 * <p>
 * The CPU event is the best the machine supports: {@code cycles} (hardware PMU counter), else {@code cpu}
 * (perf_events cpu-clock), else {@code itimer}; {@link #event()} says which was taken, and results name it.
 */
public final class Profiler
{
    private static final List<String> CPU_EVENTS = List.of("cycles", "cpu", "itimer");
    private static final String INTERVAL = "interval=1ms";
    private static final String ALLOC_INTERVAL = "alloc=512k";

    private final AsyncProfiler profiler;
    private final Path dir;
    private final Path recording;
    private String event;

    private Profiler(final AsyncProfiler profiler, final Path dir)
    {
        this.profiler = profiler;
        this.dir = dir;
        this.recording = dir.resolve("profile.jfr");
    }

    /**
     * Load async-profiler and start sampling with the best CPU event that starts.
     *
     * @param dir folder the recording and flame graphs go to.
     * @return the running profiler.
     * @throws IOException when the library cannot be loaded or no event starts.
     */
    public static Profiler start(final Path dir) throws IOException
    {
        Files.createDirectories(dir);
        final Profiler profiler = new Profiler(AsyncProfiler.getInstance(), dir);
        profiler.startFirstSupported();
        return profiler;
    }

    private void startFirstSupported() throws IOException
    {
        final StringBuilder refused = new StringBuilder();
        for (final String candidate : CPU_EVENTS)
        {
            try
            {
                profiler.execute("start,event=" + candidate + "," + INTERVAL + "," + ALLOC_INTERVAL +
                    ",jfr,file=" + recording.toAbsolutePath());
                event = candidate;
                return;
            }
            catch (final IllegalStateException | IOException ex)
            {
                refused.append(candidate).append(": ").append(ex.getMessage()).append("; ");
            }
        }
        throw new IOException("async-profiler could not start any CPU event: " + refused);
    }

    /**
     * @return the CPU event sampling, e.g. "cpu".
     */
    public String event()
    {
        return event;
    }

    /**
     * @return a sentence for the results: which event, and why when it is not the hardware one.
     */
    public String describe()
    {
        return "profiled with async-profiler " + profiler.getVersion() + ", CPU event '" + event + "'" +
            ("cycles".equals(event) ? " (hardware PMU)" :
            " (no hardware PMU counter here: 'cycles' would not start)") + ", allocations sampled every 512 KiB";
    }

    /**
     * Stop sampling and write the two flame graphs.
     *
     * @return the flame graph files, CPU then allocation.
     * @throws IOException when they cannot be written.
     */
    public List<Path> stop() throws IOException
    {
        profiler.execute("stop");
        final Path cpu = dir.resolve("cpu-flame.html");
        final Path alloc = dir.resolve("alloc-flame.html");
        final Arguments cpuArgs = new Arguments("--cpu", "--title", "CPU (" + event + ")");
        JfrToFlame.convert(recording.toString(), cpu.toString(), cpuArgs);
        final Arguments allocArgs = new Arguments("--alloc", "--title", "Allocations");
        JfrToFlame.convert(recording.toString(), alloc.toString(), allocArgs);
        return List.of(cpu, alloc);
    }
}
