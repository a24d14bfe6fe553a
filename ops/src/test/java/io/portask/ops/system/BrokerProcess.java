package io.portask.ops.system;

import io.portask.client.Admin;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real broker in its own JVM, started the way the launcher starts it: the runtime classpath the ops build
 * writes, the flags from jvm.properties, configuration by -D. Used by the system tests.
 */
final class BrokerProcess implements AutoCloseable
{
    private final Path dataDir;
    private final int port;
    private final List<String> extraProperties;
    private final Path log;
    private Process process;

    BrokerProcess(final Path dataDir, final String... extraProperties) throws IOException
    {
        this(dataDir, freePort(), extraProperties);
    }

    BrokerProcess(final Path dataDir, final int port, final String... extraProperties)
    {
        this.dataDir = dataDir;
        this.port = port;
        this.extraProperties = Arrays.asList(extraProperties);
        this.log = dataDir.resolveSibling(dataDir.getFileName() + "-broker.log");
    }

    static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    int port()
    {
        return port;
    }

    String bootstrap()
    {
        return "127.0.0.1:" + port;
    }

    Path dataDir()
    {
        return dataDir;
    }

    BrokerProcess start() throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags());
        command.add("-Xmx512m");
        command.add("-Dportask.broker.port=" + port);
        command.add("-Dportask.data.dir=" + dataDir);
        command.add("-Dportask.ring.bytes=16m");
        command.addAll(extraProperties);
        command.add("-cp");
        command.add(classpath());
        command.add("io.portask.ops.Portask");
        command.add("broker");
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
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
                throw new IllegalStateException("broker exited with " + process.exitValue() + ":\n" + log());
            }
            try (Admin admin = Admin.connect(bootstrap()))
            {
                admin.health();
                return;
            }
            catch (final RuntimeException notYet)
            {
                sleep(100);
            }
        }
        throw new IllegalStateException("broker not healthy within 30 s:\n" + log());
    }

    String log() throws IOException
    {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    void stop() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    boolean isAlive()
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

    static List<String> jvmFlags() throws IOException
    {
        final Properties properties = new Properties();
        try (var reader = Files.newBufferedReader(
            Path.of(System.getProperty("portask.root"), "jvm.properties"), StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        return Arrays.stream(properties.getProperty("portask.jvm.flags").trim().split("\\s+")).toList();
    }

    static String classpath() throws IOException
    {
        final Path target = Path.of(System.getProperty("portask.root"), "ops", "target");
        final String dependencies = Files.readString(target.resolve("runtime-classpath.txt")).trim();
        return target.resolve("classes") + File.pathSeparator + dependencies;
    }

    static void sleep(final long ms)
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
