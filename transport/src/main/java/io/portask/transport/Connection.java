package io.portask.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.portask.core.ring.RingMessages;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.Frame;
import io.portask.protocol.auth.ScramServer;
import io.portask.protocol.sbe.AuthenticateRequestDecoder;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.security.cert.CertificateException;

/**
 * One client connection: cuts the byte stream into frames, checks each frame's length and CRC, and copies the
 * SBE message into the inbound ring for the core agent. A frame whose length field exceeds the maximum is
 * refused as soon as its first 4 bytes arrive, before any more is buffered; a bad CRC or a length too short to
 * hold a message gets CORRUPT_MESSAGE. Both then close the connection, since the stream can no longer be
 * trusted to be in step. When the ring is full the connection stops reading until the transport agent has
 * passed its pending frame on.
 * <p>
 * Threading: the transport's event loop thread only.
 */
final class Connection extends ChannelInboundHandlerAdapter
{
    private static final int MIN_MESSAGE_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH + 8;

    private final long id;
    private final TransportAgent agent;
    private final RingBuffer inbound;
    private final int maxFrameLength;
    private Channel channel;
    private ByteBuf cumulation;
    private boolean paused;
    private boolean closing;
    private boolean stoppedReading;
    private boolean discarding;
    private long outputBlockedSinceNs = -1;
    /** Who the connection authenticated as (a certificate, SCRAM or a token), else null. */
    private String principal;
    private ScramServer scram;
    private int authFailures;

    Connection(final long id, final TransportAgent agent, final RingBuffer inbound, final int maxFrameLength)
    {
        this.id = id;
        this.agent = agent;
        this.inbound = inbound;
        this.maxFrameLength = maxFrameLength;
    }

    long id()
    {
        return id;
    }

    Channel channel()
    {
        return channel;
    }

    boolean isPaused()
    {
        return paused;
    }

    /**
     * @return when the unsent output last reached its bound (System.nanoTime), or -1 while it is below it.
     */
    long outputBlockedSinceNs()
    {
        return outputBlockedSinceNs;
    }

    void outputBlockedSinceNs(final long nanoTime)
    {
        outputBlockedSinceNs = nanoTime;
    }

    /**
     * {@inheritDoc}
     */
    public void channelActive(final ChannelHandlerContext ctx)
    {
        channel = ctx.channel();
        final Authenticator authenticator = agent.authenticator();
        if (null != authenticator && !authenticator.admits(this))
        {
            // an address that keeps failing is turned away at accept: nothing of it reaches the core
            closing = true;
            ctx.close();
            return;
        }
        agent.onOpened(this);
        ctx.fireChannelActive();
    }

    /**
     * {@inheritDoc}
     */
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        if (null != cumulation)
        {
            cumulation.release();
            cumulation = null;
        }
        agent.onClosed(this);
        ctx.fireChannelInactive();
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf in = (ByteBuf)msg;
        agent.onBytesIn(in.readableBytes());
        if (closing || discarding)
        {
            in.release();
            return;
        }
        cumulate(ctx, in);
        drainFrames();
    }

    private void cumulate(final ChannelHandlerContext ctx, final ByteBuf in)
    {
        if (null == cumulation)
        {
            cumulation = in;
            return;
        }
        if (cumulation.writableBytes() < in.readableBytes() || cumulation.refCnt() > 1 || cumulation.isReadOnly())
        {
            final ByteBuf merged = ctx.alloc().directBuffer(cumulation.readableBytes() + in.readableBytes());
            merged.writeBytes(cumulation);
            cumulation.release();
            cumulation = merged;
        }
        cumulation.writeBytes(in);
        in.release();
    }

    /**
     * {@inheritDoc}
     */
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object event)
    {
        if (event instanceof SslHandshakeCompletionEvent handshake)
        {
            Throwable failure = handshake.cause();
            if (handshake.isSuccess())
            {
                try
                {
                    // a client certificate authenticates the connection as its CN
                    final String certificatePrincipal =
                        TlsPrincipals.of(ctx.pipeline().get(SslHandler.class).engine(), agent.clientTrust());
                    if (null != certificatePrincipal)
                    {
                        authenticated(certificatePrincipal);
                        agent.onAuthenticated(this, certificatePrincipal);
                    }
                }
                catch (final CertificateException ex)
                {
                    failure = ex;
                    ctx.close();
                }
            }
            if (null != failure)
            {
                agent.onTlsHandshakeFailed(this, failure);
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    /**
     * @return who the connection authenticated as, or null.
     */
    String principal()
    {
        return principal;
    }

    void authenticated(final String who)
    {
        principal = who;
        authFailures = 0;
    }

    /**
     * @return the failures so far, this one counted.
     */
    int authFailed()
    {
        return ++authFailures;
    }

    ScramServer scram()
    {
        return scram;
    }

    void scram(final ScramServer exchange)
    {
        scram = exchange;
    }

    /**
     * @return the remote host (no port), for throttling by address.
     */
    String remoteHost()
    {
        final var remote = null == channel ? null : channel.remoteAddress();
        return remote instanceof java.net.InetSocketAddress inet ? inet.getAddress().getHostAddress() :
            String.valueOf(remote);
    }

    /**
     * {@inheritDoc}
     */
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        updateAutoRead();
        agent.onWritabilityChanged(this);
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * {@inheritDoc}
     */
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (!(cause instanceof java.io.IOException))
        {
            agent.onError(cause);
        }
        ctx.close();
    }

    /**
     * Pass complete frames to the ring until the data runs out or the ring is full.
     *
     * @return frames passed on.
     */
    int drainFrames()
    {
        int frames = 0;
        while (null != cumulation && !closing)
        {
            final int readable = cumulation.readableBytes();
            if (readable < 4)
            {
                break;
            }
            final int start = cumulation.readerIndex();
            final int lengthField = cumulation.getIntLE(start);
            if (lengthField > maxFrameLength || lengthField < 0)
            {
                reject(ErrorCode.MESSAGE_TOO_LARGE, 0, "frame length " + Integer.toUnsignedString(lengthField) +
                    " exceeds the maximum " + maxFrameLength);
                break;
            }
            final int messageLength = Frame.messageLength(lengthField);
            if (messageLength < MIN_MESSAGE_LENGTH)
            {
                reject(ErrorCode.CORRUPT_MESSAGE, 0, "frame length " + lengthField + " is too short for a message");
                break;
            }
            if (readable < Frame.HEADER_LENGTH + messageLength)
            {
                break;
            }
            final UnsafeBuffer frame = viewOf(start, Frame.HEADER_LENGTH + messageLength);
            if (!Frame.isCrcValid(frame, 0, messageLength))
            {
                final long correlationId = frame.getLong(Frame.HEADER_LENGTH + MessageHeaderDecoder.ENCODED_LENGTH,
                    Frame.BYTE_ORDER);
                reject(ErrorCode.CORRUPT_MESSAGE, correlationId, "frame CRC32C mismatch");
                break;
            }
            final Authenticator authenticator = agent.authenticator();
            if (null != authenticator && AuthenticateRequestDecoder.TEMPLATE_ID == Authenticator.templateId(frame))
            {
                authenticator.onAuthenticate(this, frame, Frame.HEADER_LENGTH);
                cumulation.skipBytes(Frame.HEADER_LENGTH + messageLength);
                frames++;
                if (agent.noticesPending())
                {
                    pause(); // the core learns who this is before it sees the next request
                    break;
                }
                continue;
            }
            if (null != authenticator && null == principal && authenticator.required())
            {
                authenticator.onUnauthenticated(this, frame.getLong(Frame.HEADER_LENGTH +
                    MessageHeaderDecoder.ENCODED_LENGTH, Frame.BYTE_ORDER), Authenticator.templateId(frame));
                cumulation.skipBytes(Frame.HEADER_LENGTH + messageLength);
                frames++;
                continue;
            }
            if (!offer(frame, messageLength))
            {
                pause();
                break;
            }
            cumulation.skipBytes(Frame.HEADER_LENGTH + messageLength);
            frames++;
        }
        releaseIfConsumed();
        return frames;
    }

    private boolean offer(final UnsafeBuffer frame, final int messageLength)
    {
        final int index = inbound.tryClaim(RingMessages.REQUEST, RingMessages.MESSAGE_OFFSET + messageLength);
        if (index < 0)
        {
            return false;
        }
        final var ring = inbound.buffer();
        ring.putLong(index + RingMessages.CONNECTION_ID_OFFSET, id);
        ring.putBytes(index + RingMessages.MESSAGE_OFFSET, frame, Frame.HEADER_LENGTH, messageLength);
        inbound.commit(index);
        return true;
    }

    private UnsafeBuffer viewOf(final int index, final int length)
    {
        final UnsafeBuffer view = agent.frameView();
        if (cumulation.hasMemoryAddress())
        {
            view.wrap(cumulation.memoryAddress() + index, length);
        }
        else
        {
            final byte[] copy = new byte[length];
            cumulation.getBytes(index, copy);
            view.wrap(copy);
        }
        return view;
    }

    private void pause()
    {
        if (!paused)
        {
            paused = true;
            agent.onPaused(this);
            updateAutoRead();
        }
    }

    /**
     * Called by the agent after the ring drained: retry the pending frames.
     *
     * @return true when everything buffered has been passed on.
     */
    boolean resume()
    {
        paused = false;
        drainFrames();
        if (!paused)
        {
            updateAutoRead();
        }
        return !paused;
    }

    /**
     * Read nothing more from the socket (the broker is stopping); frames already read are still passed on.
     */
    void stopReading()
    {
        stoppedReading = true;
        updateAutoRead();
    }

    /**
     * The broker told this connection it is going away: read and drop whatever else arrives, so that closing
     * finds no unread bytes (which would make it a reset).
     */
    void discardInput()
    {
        discarding = true;
        updateAutoRead();
    }

    private void updateAutoRead()
    {
        if (null != channel)
        {
            channel.config().setAutoRead(discarding || !paused && channel.isWritable() && !closing && !stoppedReading);
        }
    }

    private void reject(final ErrorCode code, final long correlationId, final String message)
    {
        closing = true;
        agent.onRejected(this, code, correlationId, message);
        releaseIfConsumed();
        if (null != cumulation)
        {
            cumulation.release();
            cumulation = null;
        }
    }

    private void releaseIfConsumed()
    {
        if (null != cumulation && !cumulation.isReadable())
        {
            cumulation.release();
            cumulation = null;
        }
        else if (null != cumulation)
        {
            cumulation.discardSomeReadBytes();
        }
    }
}
