package io.portask.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real broker (or, with {@link #gateway}, a real gateway) in its own JVM, started the way the launcher starts
 * it: the runtime classpath the ops build writes, the flags from jvm.properties, configuration by -D. Used by the
 * system tests. Not thread safe.
 */
public final class BrokerProcess implements AutoCloseable
{
    private final Path dataDir;
    private final int port;
    private final List<String> extraProperties;
    private final Path log;
    private final String command;
    private Process process;

    public BrokerProcess(final Path dataDir, final String... extraProperties) throws IOException
    {
        this(dataDir, FreePorts.next(), extraProperties);
    }

    public BrokerProcess(final Path dataDir, final int port, final String... extraProperties)
    {
        this("broker", dataDir, port, extraProperties);
    }

    private BrokerProcess(final String command, final Path dataDir, final int port, final String... extraProperties)
    {
        this.command = command;
        this.dataDir = dataDir;
        this.port = port;
        this.extraProperties = Arrays.asList(extraProperties);
        this.log = dataDir.resolveSibling(dataDir.getFileName() + "-" + command + "-" + port + ".log");
    }

    /**
     * A gateway process for the broker whose data folder is given, on its own HTTP port.
     */
    public static BrokerProcess gateway(final Path dataDir, final String... extraProperties) throws IOException
    {
        return new BrokerProcess("gateway", dataDir, FreePorts.next(), extraProperties);
    }

    public int port()
    {
        return port;
    }

    public String bootstrap()
    {
        return "127.0.0.1:" + port;
    }

    public Path dataDir()
    {
        return dataDir;
    }

    public BrokerProcess start() throws IOException
    {
        final List<String> line = new ArrayList<>();
        line.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        line.addAll(jvmFlags());
        line.add("-Xmx512m");
        line.add("-Dportask." + command + ".port=" + port);
        line.add("-Dportask.data.dir=" + dataDir);
        line.add("-Dportask.ring.bytes=16m");
        line.addAll(extraProperties);
        line.add("-cp");
        line.add(classpath());
        line.add("io.portask.ops.Portask");
        line.add(command);
        process = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        awaitHealthy();
        return this;
    }

    private void awaitHealthy() throws IOException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline)
        {
            if (!process.isAlive())
            {
                throw new IllegalStateException(command + " exited with " + process.exitValue() + ":\n" + log());
            }
            if (log().contains("Portask " + command + " listening"))
            {
                return;
            }
            sleep(100);
        }
        throw new IllegalStateException(command + " not healthy within 30 s:\n" + log());
    }

    public String log() throws IOException
    {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    public void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public void stop() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * SIGTERM, then wait.
     *
     * @return true when the process exited by itself within the time.
     */
    public boolean stopWithin(final long seconds) throws InterruptedException
    {
        process.destroy();
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    public long pid()
    {
        return process.pid();
    }

    /**
     * @param thread a thread's name as the kernel keeps it (its first 15 characters).
     * @return the CPUs the broker's first thread of that name may run on ({@code Cpus_allowed_list}), or null when
     * it has no such thread.
     * @throws IOException when /proc cannot be read.
     */
    public String cpusAllowed(final String thread) throws IOException
    {
        final Path taskDir = Path.of("/proc", Long.toString(pid()), "task");
        try (java.util.stream.Stream<Path> tasks = Files.list(taskDir))
        {
            for (final Path task : tasks.toList())
            {
                if (thread.equals(Files.readAllLines(task.resolve("comm")).get(0).strip()))
                {
                    return cpusAllowedIn(task.resolve("status"));
                }
            }
        }
        return null;
    }

    /**
     * @param status a thread's status file under /proc (e.g. {@code /proc/thread-self/status}).
     * @return its {@code Cpus_allowed_list}, or null when it has none.
     * @throws IOException when it cannot be read.
     */
    public static String cpusAllowedIn(final Path status) throws IOException
    {
        for (final String line : Files.readAllLines(status))
        {
            if (line.startsWith("Cpus_allowed_list:"))
            {
                return line.substring("Cpus_allowed_list:".length()).strip();
            }
        }
        return null;
    }

    public boolean isAlive()
    {
        return null != process && process.isAlive();
    }

    public void close()
    {
        if (isAlive())
        {
            try
            {
                stop();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    public static List<String> jvmFlags() throws IOException
    {
        final Properties properties = new Properties();
        try (var reader = Files.newBufferedReader(
            Path.of(System.getProperty("portask.root"), "jvm.properties"), StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        final List<String> flags = new ArrayList<>(coverageAgent());
        flags.addAll(Arrays.stream(properties.getProperty("portask.jvm.flags").trim().split("\\s+")).toList());
        return flags;
    }

    /**
     * The JaCoCo agent for a child JVM when the tests run with coverage: the test JVM's own agent flag (passed by
     * the build as {@code portask.coverage.agent}) writing to {@code jacoco-children.exec} beside the test JVM's
     * file, appending (JaCoCo locks the file, so children may end together). A child killed with SIGKILL writes
     * nothing.
     *
     * @return the flag, or nothing when coverage is off.
     */
    public static List<String> coverageAgent()
    {
        final String agent = System.getProperty("portask.coverage.agent", "").trim();
        if (!agent.startsWith("-javaagent:"))
        {
            return List.of();
        }
        return List.of(agent.replaceFirst("destfile=([^,]*)jacoco\\.exec", "destfile=$1jacoco-children.exec"));
    }

    public static String classpath() throws IOException
    {
        final Path target = Path.of(System.getProperty("portask.root"), "ops", "target");
        final String dependencies = Files.readString(target.resolve("runtime-classpath.txt")).trim();
        return target.resolve("classes") + File.pathSeparator + dependencies;
    }

    public static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
