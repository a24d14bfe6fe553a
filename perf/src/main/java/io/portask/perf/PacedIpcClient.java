package io.portask.perf;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.portask.gateway.Doorbell;
import io.portask.perf.load.PacedPingClient;
import io.portask.protocol.Frame;
import io.portask.protocol.IpcStreams;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * One request at a time over the broker's Aeron IPC streams, as a gateway's link sends it ({@link IpcStreams}):
 * offer, ring the doorbell (or not, to see what it buys), then read the answer by polling. The schedule and the
 * latency (from the intended send time, corrected for coordinated omission) are {@link PacedPingClient}'s, so the
 * two compare in one run: the IPC hop against the TCP one, same broker, same request.
 */
final class PacedIpcClient
{
    private PacedIpcClient()
    {
    }

    /**
     * @param aeronDir   the broker's Aeron directory.
     * @param frame      a request frame as sent over TCP; its SBE message (the frame without its header) is sent.
     * @param ring       whether to ring the broker's doorbell after each offer.
     * @param warmup     requests sent first, closed loop, not measured.
     * @param count      requests measured.
     * @param intervalNs schedule spacing.
     * @return latency histogram in nanoseconds.
     * @throws PacedPingClient.FellBehindException when answers fall too far behind the schedule.
     */
    static Histogram run(
        final String aeronDir,
        final ByteBuffer frame,
        final boolean ring,
        final int warmup,
        final int count,
        final long intervalNs) throws PacedPingClient.FellBehindException
    {
        final UnsafeBuffer request = new UnsafeBuffer(frame, Frame.HEADER_LENGTH, frame.limit() - Frame.HEADER_LENGTH);
        final Histogram histogram = new Histogram(3);
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
            Publication publication = aeron.addPublication(IpcStreams.CHANNEL, IpcStreams.REQUEST_STREAM_ID);
            Subscription subscription = aeron.addSubscription(IpcStreams.CHANNEL, IpcStreams.RESPONSE_STREAM_ID);
            Doorbell doorbell = ring ? awaitDoorbell(aeronDir, aeron) : Doorbell.NONE)
        {
            final long connectionId = IpcStreams.connectionId(publication.sessionId());
            final boolean[] answered = new boolean[1];
            final FragmentHandler onReply = (buffer, offset, length, header) ->
                answered[0] |= buffer.getLong(offset) == connectionId;
            long start = System.nanoTime();
            for (int i = 0, total = warmup + count; i < total; i++)
            {
                if (i == warmup)
                {
                    start = System.nanoTime() - (long)warmup * intervalNs;
                }
                final long due = i < warmup ? System.nanoTime() : start + i * intervalNs;
                while (System.nanoTime() < due)
                {
                    Thread.onSpinWait();
                }
                while (publication.offer(request, 0, request.capacity()) < 0)
                {
                    Thread.onSpinWait(); // not yet connected, or back-pressured
                }
                doorbell.ring();
                answered[0] = false;
                while (!answered[0])
                {
                    if (0 == subscription.poll(onReply, 16))
                    {
                        Thread.onSpinWait();
                    }
                }
                final long end = System.nanoTime();
                if (i >= warmup)
                {
                    histogram.recordValue(end - due);
                }
                if (end - due > PacedPingClient.MAX_BEHIND_NS)
                {
                    throw new PacedPingClient.FellBehindException(i + 1);
                }
            }
        }
        return histogram;
    }

    private static Doorbell awaitDoorbell(final String aeronDir, final Aeron aeron)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline)
        {
            final Doorbell doorbell = Doorbell.open(aeronDir, aeron.countersReader());
            if (doorbell.isOpen())
            {
                return doorbell;
            }
            Thread.onSpinWait();
        }
        throw new IllegalStateException("the broker in " + aeronDir + " has no doorbell");
    }
}
