package io.portask.perf.load;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The in-run floor: a raw loopback TCP echo on one thread that polls a non-blocking socket with the same idle
 * strategy the broker uses. What a Java TCP round trip costs on this machine, with no broker in the way.
 */
public final class EchoServer implements AutoCloseable
{
    private final ServerSocketChannel server;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * Start serving one connection on an ephemeral loopback port.
     *
     * @param idleStrategy how the server thread waits between reads, the broker's own.
     * @throws IOException when the socket cannot be bound.
     */
    public EchoServer(final IdleStrategy idleStrategy) throws IOException
    {
        server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        thread = new Thread(() -> serve(idleStrategy), "echo-server");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The floor: one-in-flight round trips of {@code size} bytes against a fresh echo server.
     *
     * @param idleStrategy the server's idle strategy, the broker's own.
     * @param size         bytes each way.
     * @param warmup       round trips not recorded.
     * @param count        round trips recorded.
     * @param intervalNs   schedule spacing, 0 for a closed loop; see {@link PacedPingClient}.
     * @return latency histogram in nanoseconds.
     * @throws IOException when the socket fails, or the client falls behind its schedule.
     */
    public static Histogram pingPong(
        final IdleStrategy idleStrategy, final int size, final int warmup, final int count, final long intervalNs)
        throws IOException
    {
        try (EchoServer echo = new EchoServer(idleStrategy))
        {
            return PacedPingClient.run(echo.port(), ByteBuffer.allocateDirect(size), size, warmup, count, intervalNs);
        }
    }

    /**
     * @return the port it listens on.
     * @throws IOException when the socket is closed.
     */
    public int port() throws IOException
    {
        return ((InetSocketAddress)server.getLocalAddress()).getPort();
    }

    private void serve(final IdleStrategy idleStrategy)
    {
        try (SocketChannel channel = server.accept())
        {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
            while (running)
            {
                final int read = channel.read(buffer);
                if (read < 0)
                {
                    return;
                }
                if (read > 0)
                {
                    buffer.flip();
                    while (buffer.hasRemaining())
                    {
                        channel.write(buffer);
                    }
                    buffer.clear();
                    idleStrategy.reset();
                }
                else
                {
                    idleStrategy.idle();
                }
            }
        }
        catch (final IOException ex)
        {
            if (running)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }

    /**
     * Stop the server thread and close the socket.
     *
     * @throws IOException when closing fails.
     */
    public void close() throws IOException
    {
        running = false;
        server.close();
        try
        {
            thread.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
