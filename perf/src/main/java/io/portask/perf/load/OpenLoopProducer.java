package io.portask.perf.load;

import io.portask.protocol.Frame;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.ErrorResponseDecoder;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import io.portask.protocol.sbe.ProduceResponseDecoder;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Produces one record per request on a fixed schedule, pipelined on one connection, whatever the answers do: the
 * open-loop producer. Request {@code i} carries correlation id {@code i} and a record whose value starts with its
 * intended send time and sequence (little-endian longs), so both the ack latency (here) and the end-to-end latency
 * (at a consumer) are measured from when the message was due.
 * <p>
 * Two threads: the sender sleeps until about 50 us before a message is due, spins the rest, encodes it into one
 * reused buffer and writes it; the reader decodes answers and records each ack's latency. Messages before
 * {@code warmup} are sent but not recorded.
 */
final class OpenLoopProducer implements AutoCloseable
{
    /** Value bytes the stamp takes: intended send time, then sequence. */
    static final int STAMP_LENGTH = 16;
    private static final long SPIN_BEFORE_DUE_NS = TimeUnit.MICROSECONDS.toNanos(50);

    private final SocketChannel channel;
    private final String topic;
    private final int[] partitions;
    private final AckLevel ackLevel;
    private final int size;
    private final Schedule schedule;
    private final long warmup;
    private final long count;
    private final LatencyTracker acks;
    private final AtomicLong sent;
    private final Thread senderThread;
    private final Thread readerThread;
    private volatile Throwable failure;
    private volatile boolean running = true;

    /**
     * @param port       broker port on loopback.
     * @param topic      topic to produce to.
     * @param partitions partitions used round-robin.
     * @param ackLevel   ack level; NONE records no ack latencies.
     * @param size       record value bytes, at least {@link #STAMP_LENGTH}.
     * @param schedule   when each message is due.
     * @param warmup     messages sent first and not recorded.
     * @param count      messages recorded after the warm-up.
     * @param acks       where ack latencies go, written by the reader thread only.
     * @param sent       incremented per message sent.
     * @throws IOException when the connection fails.
     */
    OpenLoopProducer(
        final int port,
        final String topic,
        final int[] partitions,
        final AckLevel ackLevel,
        final int size,
        final Schedule schedule,
        final long warmup,
        final long count,
        final LatencyTracker acks,
        final AtomicLong sent) throws IOException
    {
        if (size < STAMP_LENGTH)
        {
            throw new IllegalArgumentException("size must be at least " + STAMP_LENGTH + " bytes: " + size);
        }
        this.topic = topic;
        this.partitions = partitions;
        this.ackLevel = ackLevel;
        this.size = size;
        this.schedule = schedule;
        this.warmup = warmup;
        this.count = count;
        this.acks = acks;
        this.sent = sent;
        channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        senderThread = new Thread(this::sendAll, "load-producer-sender");
        readerThread = new Thread(this::readAll, "load-producer-reader");
        senderThread.setDaemon(true);
        readerThread.setDaemon(true);
        senderThread.start();
        if (AckLevel.NONE != ackLevel)
        {
            readerThread.start();
        }
    }

    /**
     * Wait until every message is sent and, unless ack NONE, answered.
     *
     * @param timeoutNs longest wait.
     * @throws IOException when a thread failed, the broker answered an error, or the time ran out.
     */
    void await(final long timeoutNs) throws IOException
    {
        final long deadline = System.nanoTime() + timeoutNs;
        try
        {
            for (final Thread thread : new Thread[] { senderThread, readerThread })
            {
                if (thread.getState() != Thread.State.NEW)
                {
                    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        }
        if (null != failure)
        {
            throw new IOException("open-loop producer failed: " + failure.getMessage(), failure);
        }
        if (senderThread.isAlive() || readerThread.isAlive())
        {
            throw new IOException("open-loop producer did not finish in " +
                TimeUnit.NANOSECONDS.toSeconds(timeoutNs) + " s: the broker cannot keep up with this rate");
        }
    }

    private void sendAll()
    {
        final ProduceFrame frames = new ProduceFrame(topic, size);
        final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
        try
        {
            for (long i = 0, total = warmup + count; i < total && running; i++)
            {
                final long due = schedule.intendedNs(i);
                waitUntil(due);
                value.putLong(0, due, ByteOrder.LITTLE_ENDIAN);
                value.putLong(8, i, ByteOrder.LITTLE_ENDIAN);
                final ByteBuffer bytes =
                    frames.encode(i, partitions[(int)(i % partitions.length)], ackLevel, value, size);
                while (bytes.hasRemaining())
                {
                    channel.write(bytes);
                }
                sent.incrementAndGet();
            }
        }
        catch (final Throwable ex)
        {
            fail(ex);
        }
    }

    private static void waitUntil(final long dueNs)
    {
        long now;
        while ((now = System.nanoTime()) < dueNs)
        {
            if (dueNs - now > SPIN_BEFORE_DUE_NS)
            {
                LockSupport.parkNanos(dueNs - now - SPIN_BEFORE_DUE_NS);
            }
            else
            {
                Thread.onSpinWait();
            }
        }
    }

    private void readAll()
    {
        final ByteBuffer bytes = ByteBuffer.allocateDirect(64 * 1024);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        final ProduceResponseDecoder response = new ProduceResponseDecoder();
        final ErrorResponseDecoder error = new ErrorResponseDecoder();
        long answered = 0;
        try
        {
            while (answered < warmup + count && running)
            {
                if (channel.read(bytes) < 0)
                {
                    throw new EOFException("broker closed the connection after " + answered + " answers");
                }
                int at = 0;
                while (bytes.position() - at >= Frame.HEADER_LENGTH)
                {
                    final int frameLength = Frame.messageLength(buffer.getInt(at, Frame.BYTE_ORDER)) +
                        Frame.HEADER_LENGTH;
                    if (bytes.position() - at < frameLength)
                    {
                        break;
                    }
                    final long now = System.nanoTime();
                    header.wrap(buffer, at + Frame.HEADER_LENGTH);
                    if (header.templateId() == ErrorResponseDecoder.TEMPLATE_ID)
                    {
                        error.wrapAndApplyHeader(buffer, at + Frame.HEADER_LENGTH, header);
                        throw new IOException("broker answered error " + error.errorCode() + " to request " +
                            error.correlationId() + ": " + error.message());
                    }
                    response.wrapAndApplyHeader(buffer, at + Frame.HEADER_LENGTH, header);
                    final long sequence = response.correlationId();
                    if (sequence >= warmup)
                    {
                        acks.record(schedule.latencyNs(sequence, now));
                    }
                    answered++;
                    at += frameLength;
                }
                buffer.putBytes(0, buffer, at, bytes.position() - at);
                bytes.position(bytes.position() - at);
            }
        }
        catch (final Throwable ex)
        {
            fail(ex);
        }
    }

    private void fail(final Throwable ex)
    {
        if (running && null == failure)
        {
            failure = ex;
        }
        running = false;
        try
        {
            channel.close(); // wakes the other thread from a blocked read or write
        }
        catch (final IOException ignore)
        {
            // closing a failed connection
        }
    }

    public void close() throws IOException
    {
        running = false;
        channel.close();
    }
}
