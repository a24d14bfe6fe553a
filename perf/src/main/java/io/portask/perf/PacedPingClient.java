package io.portask.perf;

import org.HdrHistogram.Histogram;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * One request in flight at a time, sent on a fixed schedule: request i is due at start + i x interval. Latency
 * is measured from when the request was due, not from when it went out, so a stall delays every request
 * behind it in the histogram too (no coordinated omission). The client spins on a non-blocking socket, the same
 * for the raw ping-pong and the broker, so only the server side differs.
 */
final class PacedPingClient
{
    /** How far behind its schedule a run may fall before it is stopped as unable to keep up. */
    static final long MAX_BEHIND_NS = TimeUnit.SECONDS.toNanos(5);

    private PacedPingClient()
    {
    }

    /**
     * The server could not keep up with the send rate: every later request would wait longer than the last, so
     * percentiles would only measure how long the run lasted.
     */
    static final class FellBehindException extends IOException
    {
        private static final long serialVersionUID = 1L;

        FellBehindException(final int completed)
        {
            super("fell more than " + TimeUnit.NANOSECONDS.toSeconds(MAX_BEHIND_NS) + " s behind the send schedule " +
                "after " + completed + " round trips: the server cannot sustain this rate in this configuration");
        }
    }

    /**
     * @param port           server port on loopback.
     * @param request        bytes to send each time.
     * @param responseLength bytes to read back each time.
     * @param warmup         round trips not recorded.
     * @param count          round trips recorded.
     * @param intervalNs     schedule spacing.
     * @return latency histogram in nanoseconds.
     * @throws IOException when the socket fails, or {@link FellBehindException}.
     */
    static Histogram run(
        final int port,
        final ByteBuffer request,
        final int responseLength,
        final int warmup,
        final int count,
        final long intervalNs) throws IOException
    {
        final Histogram histogram = new Histogram(3);
        final ByteBuffer response = ByteBuffer.allocateDirect(Math.max(responseLength, 64 * 1024));
        try (SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port)))
        {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
            for (int i = 0, total = warmup + count; i < total; i++)
            {
                final long due = start + i * intervalNs;
                while (System.nanoTime() < due)
                {
                    Thread.onSpinWait();
                }
                request.rewind();
                while (request.hasRemaining())
                {
                    channel.write(request);
                }
                response.clear().limit(responseLength);
                while (response.hasRemaining())
                {
                    if (channel.read(response) < 0)
                    {
                        throw new EOFException("server closed the connection");
                    }
                }
                final long end = System.nanoTime();
                if (i >= warmup)
                {
                    histogram.recordValue(end - due);
                }
                if (end - due > MAX_BEHIND_NS)
                {
                    throw new FellBehindException(i + 1);
                }
            }
        }
        return histogram;
    }
}
