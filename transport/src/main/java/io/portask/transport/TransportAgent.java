package io.portask.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import io.portask.core.ring.RingMessages;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.Frame;
import io.portask.protocol.sbe.ErrorResponseEncoder;
import io.portask.protocol.sbe.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509TrustManager;

/**
 * The transport's agent: drains the outbound ring into the connections' sockets, flushing each touched
 * connection once per duty cycle, resumes connections that paused on a full inbound ring, and delivers
 * connection open and close notices to the core without ever dropping one.
 * <p>
 * Threading: the transport's event loop thread only, like every {@link Connection}.
 */
final class TransportAgent implements Agent, MessageHandler
{
    private static final long QUIET_NS = TimeUnit.MILLISECONDS.toNanos(50);
    /** How long told clients get to close their end before the transport closes it. */
    private static final long LINGER_NS = TimeUnit.SECONDS.toNanos(1);
    private static final Logger LOG = LoggerFactory.getLogger(TransportAgent.class);
    private static final int MESSAGE_LIMIT = 256;

    private final RingBuffer inbound;
    private final RingBuffer outbound;
    private final ErrorHandler errorHandler;
    private final AtomicCounter bytesIn;
    private final AtomicCounter bytesOut;
    private final AtomicCounter inboundBackPressure;
    private final AtomicCounter framesRejected;
    private final AtomicCounter slowConnectionsClosed;
    private final AtomicCounter tlsHandshakesFailed;
    private final X509TrustManager clientTrust;
    private final Authenticator authenticator;
    private final long writeTimeoutNs;
    private final ArrayList<Connection> outputBlocked = new ArrayList<>();
    private long nextTimeoutCheckNs;
    private final Long2ObjectHashMap<Connection> connections = new Long2ObjectHashMap<>();
    private final ArrayList<Connection> paused = new ArrayList<>();
    private final ArrayList<Channel> touched = new ArrayList<>();
    private final ArrayDeque<Notice> pendingNotices = new ArrayDeque<>();
    private final UnsafeBuffer noticeBuffer = new UnsafeBuffer(new byte[RingMessages.MESSAGE_OFFSET + 512]);
    private final UnsafeBuffer outView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer frameView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer errorBuffer = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(1024));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ErrorResponseEncoder errorEncoder = new ErrorResponseEncoder();
    private long nextConnectionId = 1;
    private Runnable onGone;
    private long goAwayDeadlineNs;
    private long quietSinceNs;
    private long toldAtNs;

    TransportAgent(final TransportContext ctx)
    {
        this.inbound = ctx.inboundRing();
        this.outbound = ctx.outboundRing();
        this.errorHandler = ctx.errorHandler();
        this.bytesIn = ctx.bytesIn();
        this.bytesOut = ctx.bytesOut();
        this.inboundBackPressure = ctx.inboundBackPressure();
        this.framesRejected = ctx.framesRejected();
        this.slowConnectionsClosed = ctx.slowConnectionsClosed();
        this.tlsHandshakesFailed = ctx.tlsHandshakesFailed();
        this.clientTrust = null == ctx.tls() ? null : ctx.tls().clientTrust();
        this.authenticator = null == ctx.auth() ? null : new Authenticator(ctx.auth(), this, ctx.authFailures());
        this.writeTimeoutNs = ctx.writeTimeoutNs();
    }

    /**
     * @return the one view every connection reads its frames through (event loop thread only; not kept between
     *         calls), so that an idle connection does not carry one.
     */
    UnsafeBuffer frameView()
    {
        return frameView;
    }

    long nextConnectionId()
    {
        return nextConnectionId++;
    }

    int connectionCount()
    {
        return connections.size();
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return "portask-transport";
    }

    /**
     * {@inheritDoc}
     */
    public int doWork()
    {
        int workCount = deliverNotices();
        if (null != authenticator)
        {
            workCount += authenticator.doWork(System.nanoTime());
        }
        workCount += outbound.read(this, MESSAGE_LIMIT);
        if (!touched.isEmpty())
        {
            for (int i = 0, size = touched.size(); i < size; i++)
            {
                touched.get(i).flush();
            }
            touched.clear();
        }
        if (!paused.isEmpty())
        {
            workCount += resumePaused();
        }
        if (!outputBlocked.isEmpty())
        {
            workCount += closeTimedOut();
        }
        if (null != onGone)
        {
            workCount += goAwayWhenQuiet(System.nanoTime());
        }
        return workCount;
    }

    /**
     * {@inheritDoc}
     */
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final Connection connection = connections.get(buffer.getLong(index + RingMessages.CONNECTION_ID_OFFSET));
        if (null == connection)
        {
            return;
        }
        final Channel channel = connection.channel();
        if (RingMessages.CLOSE_CONNECTION == msgTypeId)
        {
            channel.close();
            return;
        }
        final int messageLength = length - RingMessages.MESSAGE_OFFSET;
        channel.write(encodeFrame(channel, buffer, index + RingMessages.MESSAGE_OFFSET, messageLength),
            channel.voidPromise());
        if (touched.isEmpty() || touched.get(touched.size() - 1) != channel)
        {
            touched.add(channel);
        }
    }

    private ByteBuf encodeFrame(
        final Channel channel, final DirectBuffer src, final int offset, final int messageLength)
    {
        final int frameLength = Frame.HEADER_LENGTH + messageLength;
        final ByteBuf out = channel.alloc().directBuffer(frameLength);
        final int at = out.writerIndex();
        out.writeIntLE(messageLength + Frame.LENGTH_FIELD_EXTRA);
        out.writeIntLE(Frame.crc32c(src, offset, messageLength));
        if (out.hasMemoryAddress())
        {
            outView.wrap(out.memoryAddress(), out.capacity());
            outView.putBytes(at + Frame.HEADER_LENGTH, src, offset, messageLength);
            out.writerIndex(at + frameLength);
        }
        else
        {
            for (int i = 0; i < messageLength; i++)
            {
                out.writeByte(src.getByte(offset + i));
            }
        }
        bytesOut.getAndAddRelease(frameLength);
        return out;
    }

    /**
     * Begin a graceful stop (event loop thread): read nothing more from any connection, let what was read be
     * answered, then send each connection the going-away notice and close it ({@link #goAwayWhenQuiet}).
     *
     * @param deadlineNs when to send the notices even if answers are still in flight.
     * @param gone       run on the event loop once every connection was told.
     */
    void goAway(final long deadlineNs, final Runnable gone)
    {
        goAwayDeadlineNs = deadlineNs;
        quietSinceNs = 0;
        toldAtNs = 0;
        onGone = gone;
        connections.values().forEach(Connection::stopReading);
    }

    /**
     * Quiet means nothing waits in either ring, no connection holds frames the inbound ring had no room for, and
     * no notice is pending for the core, for {@link #QUIET_NS} in a row: every request read has been answered
     * (an answer the core still holds back, such as an ack waiting for write-behind, is covered only up to the
     * deadline). Then each connection is told, half-closed, and given {@link #LINGER_NS} to close its end.
     */
    private int goAwayWhenQuiet(final long nowNs)
    {
        final boolean quiet = 0 == inbound.size() && 0 == outbound.size() && paused.isEmpty() &&
            pendingNotices.isEmpty();
        if (!quiet)
        {
            quietSinceNs = 0;
        }
        else if (0 == quietSinceNs)
        {
            quietSinceNs = nowNs;
        }
        if (0 == toldAtNs)
        {
            if ((0 == quietSinceNs || nowNs - quietSinceNs < QUIET_NS) && nowNs - goAwayDeadlineNs < 0)
            {
                return 0;
            }
            for (final Connection connection : connections.values())
            {
                // half-close after the notice and discard what else arrives, so the client reads the notice
                // and then EOF, never a reset that could drop the notice from its receive buffer
                connection.discardInput();
                sendError(connection, 0, 0, ErrorCode.BROKER_STOPPING,
                    "the broker is stopping: reconnect and retry once it is back", false).addListener(
                    (ChannelFutureListener)written -> ((DuplexChannel)written.channel()).shutdownOutput());
            }
            LOG.info("told {} connection(s) the broker is going away{}", connections.size(),
                0 == quietSinceNs ? " (drain deadline reached with answers in flight)" : "");
            toldAtNs = nowNs;
            return 1;
        }
        if (!connections.isEmpty() && nowNs - toldAtNs < LINGER_NS)
        {
            return 0;
        }
        final Runnable gone = onGone;
        onGone = null;
        gone.run();
        return 1;
    }

    void onOpened(final Connection connection)
    {
        if (null != onGone)
        {
            connection.stopReading();
        }
        connections.put(connection.id(), connection);
        notice(new Notice(RingMessages.CONNECTION_OPENED, connection.id(),
            String.valueOf(connection.channel().remoteAddress())));
    }

    void onClosed(final Connection connection)
    {
        if (null != connections.remove(connection.id()))
        {
            paused.remove(connection);
            outputBlocked.remove(connection);
            notice(new Notice(RingMessages.CONNECTION_CLOSED, connection.id(), ""));
        }
    }

    /**
     * The connection's unsent output crossed its bound (Netty's high water mark) or drained below half of it:
     * tell the core to pause or resume pushes to it. Requests already read are still answered in order; no more
     * are read while it is over (see {@link Connection}).
     */
    void onWritabilityChanged(final Connection connection)
    {
        final boolean writable = connection.channel().isWritable();
        final boolean blocked = connection.outputBlockedSinceNs() >= 0;
        if (!writable && !blocked)
        {
            connection.outputBlockedSinceNs(System.nanoTime());
            outputBlocked.add(connection);
            notice(new Notice(RingMessages.OUTPUT_BLOCKED, connection.id(), ""));
        }
        else if (writable && blocked)
        {
            connection.outputBlockedSinceNs(-1);
            outputBlocked.remove(connection);
            notice(new Notice(RingMessages.OUTPUT_UNBLOCKED, connection.id(), ""));
        }
    }

    private int closeTimedOut()
    {
        final long nowNs = System.nanoTime();
        if (nowNs - nextTimeoutCheckNs < 0)
        {
            return 0;
        }
        nextTimeoutCheckNs = nowNs + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10);
        int closed = 0;
        for (int i = outputBlocked.size() - 1; i >= 0; i--)
        {
            final Connection connection = outputBlocked.get(i);
            if (nowNs - connection.outputBlockedSinceNs() >= writeTimeoutNs)
            {
                outputBlocked.remove(i);
                if (null != slowConnectionsClosed)
                {
                    slowConnectionsClosed.incrementRelease();
                }
                connection.channel().close();
                closed++;
            }
        }
        return closed;
    }

    void onPaused(final Connection connection)
    {
        inboundBackPressure.incrementRelease();
        paused.add(connection);
    }

    void onBytesIn(final int bytes)
    {
        bytesIn.getAndAddRelease(bytes);
    }

    void onError(final Throwable cause)
    {
        errorHandler.onError(cause);
    }

    /**
     * @return the CA bundle client certificates must chain to, or null.
     */
    X509TrustManager clientTrust()
    {
        return clientTrust;
    }

    void onTlsHandshakeFailed(final Connection connection, final Throwable cause)
    {
        if (null != tlsHandshakesFailed)
        {
            tlsHandshakesFailed.incrementRelease();
        }
        LOG.warn("TLS handshake from {} failed: {}", connection.channel().remoteAddress(), cause.getMessage());
    }

    void onRejected(final Connection connection, final ErrorCode code, final long correlationId, final String message)
    {
        framesRejected.incrementRelease();
        sendError(connection, correlationId, 0, code, message, true);
    }

    /**
     * Answer a request here, in the transport, with an error; then close the connection if asked.
     */
    ChannelFuture sendError(
        final Connection connection, final long correlationId, final int templateId, final ErrorCode code,
        final String message, final boolean close)
    {
        errorEncoder.wrapAndApplyHeader(errorBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .requestTemplateId(templateId)
            .errorCode(code.code())
            .message(message);
        return send(connection, errorBuffer, MessageHeaderEncoder.ENCODED_LENGTH + errorEncoder.encodedLength(), close);
    }

    /**
     * Write a message (unframed SBE, from offset 0) to a connection at once; then close it if asked.
     */
    ChannelFuture send(final Connection connection, final DirectBuffer message, final int length,
        final boolean close)
    {
        final Channel channel = connection.channel();
        final ChannelFuture written = channel.writeAndFlush(encodeFrame(channel, message, 0, length));
        if (close)
        {
            written.addListener(ChannelFutureListener.CLOSE);
        }
        return written;
    }

    /**
     * A connection authenticated: tell the core who it is, ahead of its next request.
     *
     * @return false when the notice waits for room in the ring (the connection should hold its requests).
     */
    boolean onAuthenticated(final Connection connection, final String principal)
    {
        notice(new Notice(RingMessages.CONNECTION_AUTHENTICATED, connection.id(), principal));
        return pendingNotices.isEmpty();
    }

    /**
     * @return true while notices wait for room in the inbound ring.
     */
    boolean noticesPending()
    {
        return !pendingNotices.isEmpty();
    }

    /**
     * @return the authenticator, or null when the transport has none (the IPC-only case in tests).
     */
    Authenticator authenticator()
    {
        return authenticator;
    }

    private void notice(final Notice notice)
    {
        if (!pendingNotices.isEmpty() || !offerNotice(notice))
        {
            pendingNotices.addLast(notice);
        }
    }

    private boolean offerNotice(final Notice notice)
    {
        return RingMessages.writeNotice(inbound, noticeBuffer, notice.type(), notice.connectionId(), notice.remote());
    }

    private int deliverNotices()
    {
        int delivered = 0;
        while (!pendingNotices.isEmpty() && offerNotice(pendingNotices.peekFirst()))
        {
            pendingNotices.pollFirst();
            delivered++;
        }
        return delivered;
    }

    private record Notice(int type, long connectionId, String remote)
    {
    }

    private int resumePaused()
    {
        int resumed = 0;
        for (int i = paused.size() - 1; i >= 0; i--)
        {
            final Connection connection = paused.remove(i);
            if (connection.resume())
            {
                resumed++;
            }
        }
        return resumed;
    }

    /**
     * {@inheritDoc}
     */
    public void onClose()
    {
        connections.values().forEach(connection -> connection.channel().close());
        connections.clear();
    }
}
