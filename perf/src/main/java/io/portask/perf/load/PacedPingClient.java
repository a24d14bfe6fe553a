package io.portask.perf.load;

import org.HdrHistogram.Histogram;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One request in flight at a time. Paced: request i is due at start + i x interval and latency is measured from
 * when it was due, not from when it went out, so a stall delays every request behind it in the histogram too (no
 * coordinated omission). The warm-up runs closed loop, as fast as answers come, and the measured phase starts a
 * fresh schedule when it ends. Closed loop (interval 0): the next request goes as soon as the last is answered
 * and latency is the round trip itself. The client spins on a non-blocking socket, the same for the raw
 * ping-pong and the broker, so only the server side differs.
 */
public final class PacedPingClient
{
    /** How far behind its schedule a run may fall before it is stopped as unable to keep up. */
    public static final long MAX_BEHIND_NS = TimeUnit.SECONDS.toNanos(5);

    private PacedPingClient()
    {
    }

    /**
     * The server could not keep up with the send rate: every later request would wait longer than the last, so
     * percentiles would only measure how long the run lasted.
     */
    public static final class FellBehindException extends IOException
    {
        private static final long serialVersionUID = 1L;

        /**
         * @param completed round trips done before giving up.
         */
        public FellBehindException(final int completed)
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
     * @param intervalNs     schedule spacing, 0 for a closed loop.
     * @return latency histogram in nanoseconds.
     * @throws IOException when the socket fails, or {@link FellBehindException}.
     */
    public static Histogram run(
        final int port,
        final ByteBuffer request,
        final int responseLength,
        final int warmup,
        final int count,
        final long intervalNs) throws IOException
    {
        final LatencyTracker tracker = new LatencyTracker("round trip");
        run(port, request, responseLength, warmup, count, intervalNs, tracker, new AtomicLong(), null);
        return tracker.total();
    }

    static void run(
        final int port,
        final ByteBuffer request,
        final int responseLength,
        final int warmup,
        final int count,
        final long intervalNs,
        final LatencyTracker tracker,
        final AtomicLong sent,
        final Runnable onMeasuredPhase) throws IOException
    {
        final ByteBuffer response = ByteBuffer.allocateDirect(Math.max(responseLength, 64 * 1024));
        try (SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port)))
        {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
            for (int i = 0, total = warmup + count; i < total; i++)
            {
                if (i == warmup && warmup > 0)
                {
                    // the measured phase gets a schedule of its own: a backlog left by a warm-up stall is not
                    // charged to it
                    start = System.nanoTime() - (long)warmup * intervalNs;
                    if (null != onMeasuredPhase)
                    {
                        onMeasuredPhase.run();
                    }
                }
                // the warm-up runs closed loop, as fast as answers come, so the JIT has compiled the paths
                // before the paced, measured phase begins
                final long due = 0 == intervalNs || i < warmup ? System.nanoTime() : start + i * intervalNs;
                while (System.nanoTime() < due)
                {
                    Thread.onSpinWait();
                }
                request.rewind();
                while (request.hasRemaining())
                {
                    channel.write(request);
                }
                sent.incrementAndGet();
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
                    tracker.record(end - due);
                }
                if (end - due > MAX_BEHIND_NS)
                {
                    throw new FellBehindException(i + 1);
                }
            }
        }
    }
}
