package io.portask.perf.peers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server the comparison starts as a child process and stops by its process id, each within a bounded time:
 * started, then up once its port accepts a connection; stopped with SIGTERM, then SIGKILL if it lingers. Its
 * output goes to a log file beside the results.
 */
final class PeerProcess implements AutoCloseable
{
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final String name;
    private final Process process;

    private PeerProcess(final String name, final Process process)
    {
        this.name = name;
        this.process = process;
    }

    /**
     * @param name     for messages.
     * @param command  the command line.
     * @param log      file the output is appended to.
     * @param port     loopback port that accepts once the server is up.
     * @param startMax longest wait for the port.
     * @return the running process.
     * @throws IOException when it does not start, exits, or its port does not open in time (it is then killed).
     */
    static PeerProcess start(
        final String name, final List<String> command, final Path log, final int port, final Duration startMax)
        throws IOException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        final PeerProcess peer = new PeerProcess(name, process);
        final long deadline = System.nanoTime() + startMax.toNanos();
        while (System.nanoTime() < deadline)
        {
            if (!process.isAlive())
            {
                throw new IOException(name + " exited with " + process.exitValue() + " while starting; see " + log);
            }
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return peer;
            }
            catch (final IOException notYet)
            {
                sleep(100);
            }
        }
        peer.close();
        throw new IOException(name + " did not open port " + port + " within " + startMax.toSeconds() + " s; see " +
            log);
    }

    /**
     * Run a command to completion within a bounded time.
     *
     * @param name    for messages.
     * @param command the command line.
     * @param log     file the output is appended to.
     * @param max     longest wait.
     * @throws IOException when it fails or takes too long (it is then killed).
     */
    static void runToCompletion(final String name, final List<String> command, final Path log, final Duration max)
        throws IOException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try
        {
            if (!process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly();
                throw new IOException(name + " took longer than " + max.toSeconds() + " s; see " + log);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(name + " interrupted", ex);
        }
        if (0 != process.exitValue())
        {
            throw new IOException(name + " failed with exit code " + process.exitValue() + "; see " + log);
        }
    }

    /**
     * @return the java of this JVM, for servers that are Java programs.
     */
    static String java()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * @param program a program name.
     * @return true when it is an executable on the PATH.
     */
    static boolean onPath(final String program)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(":"))
        {
            if (Files.isExecutable(Path.of(dir, program)))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param command a short command such as {@code redis-server --version}.
     * @return what it printed, trimmed, or "?" when it could not run.
     */
    static String output(final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            process.waitFor(5, TimeUnit.SECONDS);
            return out;
        }
        catch (final IOException ex)
        {
            return "?";
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    long pid()
    {
        return process.pid();
    }

    public void close()
    {
        final ProcessHandle handle = process.toHandle();
        handle.descendants().forEach(ProcessHandle::destroy);
        handle.destroy();
        try
        {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS))
            {
                System.err.println(name + " (pid " + pid() + ") ignored SIGTERM for " + STOP_GRACE.toSeconds() +
                    " s: killing it");
                handle.descendants().forEach(ProcessHandle::destroyForcibly);
                handle.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            handle.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(final long ms)
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
