package io.portask.client;

import io.portask.protocol.Frame;
import io.portask.protocol.buffer.SafeBuffer;
import io.portask.protocol.link.ResponseCorrelator;
import io.portask.protocol.sbe.MessageHeaderDecoder;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A spinning client's inbound side: frames read from a non-blocking socket into one buffer, each whole frame's
 * length and CRC checked and handed to the correlator. Reading is a lease: whichever thread holds it (the reader
 * thread, or a caller waiting for its answer) reads; the lease's compare-and-set orders the buffer's hand-over.
 * <p>
 * Threading: {@link #poll} only by the lease holder.
 */
final class NonBlockingFrames
{
    private final AtomicBoolean lease = new AtomicBoolean();
    private final ByteBuffer inbound;
    private final SafeBuffer frame;
    private final SafeBuffer message = new SafeBuffer();
    private final int maxFrameLength;
    private final ResponseCorrelator correlator;

    NonBlockingFrames(final int maxFrameLength, final ResponseCorrelator correlator)
    {
        this.maxFrameLength = maxFrameLength;
        this.correlator = correlator;
        this.inbound = ByteBuffer.allocate(maxFrameLength + 2 * Frame.HEADER_LENGTH + 1024).order(Frame.BYTE_ORDER);
        this.frame = new SafeBuffer(inbound.array());
    }

    boolean tryLease()
    {
        return lease.compareAndSet(false, true);
    }

    void release()
    {
        lease.set(false);
    }

    /**
     * Forget a broken connection's partial frame (a new socket starts clean).
     */
    void reset()
    {
        while (!tryLease())
        {
            Thread.onSpinWait();
        }
        inbound.clear();
        release();
    }

    /**
     * Read what the socket has and hand every whole frame on.
     *
     * @return frames handed on.
     * @throws IOException when the socket fails, the broker closed it, or a frame is bad.
     */
    int poll(final SocketChannel nonBlocking) throws IOException
    {
        if (nonBlocking.read(inbound) < 0)
        {
            throw new EOFException("broker closed the connection");
        }
        int frames = 0;
        inbound.flip();
        try
        {
            while (inbound.remaining() >= Frame.HEADER_LENGTH)
            {
                final int start = inbound.position();
                final int messageLength = checkedLength(inbound.getInt(start + Frame.LENGTH_OFFSET), maxFrameLength);
                if (inbound.remaining() < Frame.HEADER_LENGTH + messageLength)
                {
                    break;
                }
                if (!Frame.isCrcValid(frame, start, messageLength))
                {
                    throw new IOException("frame CRC mismatch from broker");
                }
                message.wrap(inbound.array(), start + Frame.HEADER_LENGTH, messageLength);
                inbound.position(start + Frame.HEADER_LENGTH + messageLength);
                correlator.onMessage(message, messageLength); // in place: the correlator copies what it keeps
                frames++;
            }
        }
        finally
        {
            inbound.compact();
        }
        return frames;
    }

    /**
     * @return the message length a frame's length field gives.
     * @throws IOException when it is out of bounds.
     */
    static int checkedLength(final int lengthField, final int maxFrameLength) throws IOException
    {
        final int messageLength = Frame.messageLength(lengthField);
        if (lengthField > maxFrameLength + 1024 || messageLength < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            throw new IOException("bad frame length " + lengthField + " from broker");
        }
        return messageLength;
    }
}
