package io.portask.testsupport;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server (the Dragonfly stand-in) on a free loopback port, started and killed by tests. No
 * persistence unless asked, so a restart comes back empty, as a cache server that lost its memory would.
 */
public final class RedisServer implements AutoCloseable
{
    private final int port;
    private final Path dir;
    private final String password;
    private Process process;
    private boolean suspended;

    /**
     * @param dir      working folder for its log.
     * @param password required password, or null.
     * @throws IOException when no port is free.
     */
    public RedisServer(final Path dir, final String password) throws IOException
    {
        this.port = FreePorts.next();
        this.dir = dir;
        this.password = password;
    }

    /**
     * @return the redis-server executable; fails the test with the install command when missing.
     */
    public static String executable()
    {
        for (final String candidate : new String[]{ "/usr/bin/redis-server", "/usr/local/bin/redis-server" })
        {
            if (new File(candidate).canExecute())
            {
                return candidate;
            }
        }
        throw new IllegalStateException("redis-server is not installed: apt-get install -y redis-server " +
            "(./portask test and .ci/run install it when they can)");
    }

    /**
     * @return the port it listens on.
     */
    public int port()
    {
        return port;
    }

    /**
     * Start (or start again after {@link #kill()}) and wait until it answers PING.
     *
     * @return this.
     * @throws IOException when it does not come up in 10 s.
     */
    public RedisServer start() throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(executable(), "--port", Integer.toString(port),
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no",
            "--enable-debug-command", "yes", "--dir", dir.toString()));
        if (null != password)
        {
            command.addAll(List.of("--requirepass", password));
        }
        Files.createDirectories(dir);
        process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline)
        {
            if (answersPing())
            {
                return this;
            }
            sleep(20);
        }
        throw new IOException("redis-server did not answer on port " + port + ": " + log());
    }

    private boolean answersPing()
    {
        try (Socket socket = new Socket("127.0.0.1", port))
        {
            final String auth = null == password ? "" : "AUTH " + password + "\r\n";
            socket.getOutputStream().write((auth + "PING\r\n").getBytes(StandardCharsets.UTF_8));
            final byte[] reply = new byte[64];
            final int read = socket.getInputStream().read(reply);
            return read > 0 && new String(reply, 0, read, StandardCharsets.UTF_8).contains("PONG");
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * Kill it at once (SIGKILL), as a crash would.
     */
    public void kill()
    {
        if (null != process)
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Freeze it (SIGSTOP): it keeps its port, so connects and commands hang instead of failing, as a wedged or
     * swapping server would. {@link #close()} resumes it first.
     *
     * @throws IOException when the signal cannot be sent.
     */
    public void suspend() throws IOException
    {
        signal("-STOP");
        suspended = true;
    }

    /**
     * Let a suspended server go on (SIGCONT).
     *
     * @throws IOException when the signal cannot be sent.
     */
    public void resume() throws IOException
    {
        signal("-CONT");
        suspended = false;
    }

    private void signal(final String signal) throws IOException
    {
        try
        {
            final Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || 0 != kill.exitValue())
            {
                throw new IOException("kill " + signal + " " + process.pid() + " failed");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException(ex);
        }
    }

    String log() throws IOException
    {
        final Path log = dir.resolve("redis.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /**
     * Stop it.
     */
    public void close()
    {
        if (suspended)
        {
            try
            {
                resume();
            }
            catch (final IOException ignore)
            {
                // killed below all the same
            }
        }
        kill();
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
