package io.portask.gateway;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.portask.protocol.Frame;
import io.portask.protocol.IpcStreams;
import io.portask.protocol.sbe.ErrorResponseDecoder;
import io.portask.protocol.sbe.HealthRequestEncoder;
import io.portask.protocol.sbe.HealthResponseDecoder;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import io.portask.protocol.sbe.MessageHeaderEncoder;
import io.portask.protocol.sbe.PushRecordsDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's link to the broker over Aeron IPC ({@link IpcStreams}): requests from any thread are offered on
 * one publication, replies are read by this agent and matched by correlation id. A Health request every
 * 500 ms is the heartbeat: two seconds without an answer and the broker counts as gone, so requests fail at once
 * with {@link BrokerUnavailableException} instead of waiting; the link then reconnects (a restarted broker has a
 * new media driver, so a new Aeron client) and the heartbeat brings it back.
 * <p>
 * Threading: {@link #send} from any thread; {@link #doWork()} on the link's own thread.
 */
final class BrokerLink implements Agent
{
    /** Receives a subscription's pushes, and its end, on the link thread. */
    interface PushListener
    {
        void onPush(Reply push);

        void onClosed(BrokerErrorException why);
    }

    /** Writes a request (SBE header included) and returns its length. */
    @FunctionalInterface
    interface RequestEncoder
    {
        int encode(MutableDirectBuffer buffer, int offset, long correlationId);
    }

    private static final Logger LOG = LoggerFactory.getLogger(BrokerLink.class);
    private static final long HEARTBEAT_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long HEARTBEAT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long RECONNECT_AFTER_NS = TimeUnit.SECONDS.toNanos(3);

    private final String aeronDir;
    private final Duration requestTimeout;
    private final Map<Long, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
    private final Map<Long, PushListener> pushListeners = new ConcurrentHashMap<>();
    private final AtomicLong correlationIds = new AtomicLong();
    private final ThreadLocal<ExpandableDirectByteBuffer> buffers =
        ThreadLocal.withInitial(() -> new ExpandableDirectByteBuffer(4096));
    private final FragmentAssembler assembler = new FragmentAssembler(this::onReply);
    private final UnsafeBuffer heartbeat = new UnsafeBuffer(new byte[64]);
    private volatile Aeron aeron;
    private volatile Publication publication;
    private volatile boolean brokerUp;
    private volatile long lastHeartbeatReplyNs;
    private volatile long brokerTimeMs;
    private Subscription subscription;
    private long connectionId;
    private long nextHeartbeatNs;
    private long downSinceNs;

    BrokerLink(final String aeronDir, final Duration requestTimeout)
    {
        this.aeronDir = aeronDir;
        this.requestTimeout = requestTimeout;
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return "portask-gateway-link";
    }

    boolean isBrokerUp()
    {
        return brokerUp;
    }

    long brokerTimeMs()
    {
        return brokerTimeMs;
    }

    Aeron aeron()
    {
        return aeron;
    }

    /**
     * Send a request.
     *
     * @param encoder writes it.
     * @return completes with the reply (an ErrorResponse completes exceptionally with {@link BrokerErrorException}),
     * or fails with {@link BrokerUnavailableException}.
     */
    CompletableFuture<Reply> send(final RequestEncoder encoder)
    {
        final Publication current = publication;
        if (!brokerUp || null == current)
        {
            return CompletableFuture.failedFuture(new BrokerUnavailableException("the broker is not reachable"));
        }
        final long correlationId = correlationIds.incrementAndGet();
        final CompletableFuture<Reply> future = new CompletableFuture<>();
        pending.put(correlationId, future);
        final ExpandableDirectByteBuffer buffer = buffers.get();
        final int length = encoder.encode(buffer, 0, correlationId);
        if (!offer(current, buffer, length))
        {
            pending.remove(correlationId);
            future.completeExceptionally(new BrokerUnavailableException("the broker does not take requests now"));
            return future;
        }
        future.orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
            .whenComplete((reply, error) -> pending.remove(correlationId));
        return future;
    }

    /**
     * Send a request the broker does not answer (a credit grant).
     *
     * @param encoder writes it.
     * @return false when it could not be sent.
     */
    boolean sendOneWay(final RequestEncoder encoder)
    {
        final Publication current = publication;
        if (!brokerUp || null == current)
        {
            return false;
        }
        final ExpandableDirectByteBuffer buffer = buffers.get();
        return offer(current, buffer, encoder.encode(buffer, 0, correlationIds.incrementAndGet()));
    }

    void addPushListener(final long subscriptionId, final PushListener listener)
    {
        pushListeners.put(subscriptionId, listener);
    }

    void removePushListener(final long subscriptionId)
    {
        pushListeners.remove(subscriptionId);
    }

    private static boolean offer(final Publication publication, final DirectBuffer buffer, final int length)
    {
        for (int attempt = 0; attempt < 1_000; attempt++)
        {
            final long result = publication.offer(buffer, 0, length);
            if (result > 0)
            {
                return true;
            }
            if (Publication.BACK_PRESSURED != result && Publication.ADMIN_ACTION != result)
            {
                return false;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    /**
     * {@inheritDoc}
     */
    public int doWork()
    {
        final long nowNs = System.nanoTime();
        if (null == aeron || aeron.isClosed())
        {
            return connect(nowNs);
        }
        int workCount = subscription.poll(assembler, 64);
        if (nowNs - nextHeartbeatNs >= 0)
        {
            nextHeartbeatNs = nowNs + HEARTBEAT_INTERVAL_NS;
            sendHeartbeat();
            workCount++;
        }
        final boolean up = nowNs - lastHeartbeatReplyNs < HEARTBEAT_TIMEOUT_NS;
        if (brokerUp && !up)
        {
            LOG.warn("broker stopped answering heartbeats; failing requests until it is back");
            failPending("the broker stopped answering");
            downSinceNs = nowNs;
        }
        brokerUp = up;
        if (!up && nowNs - downSinceNs > RECONNECT_AFTER_NS)
        {
            disconnect();
        }
        return workCount;
    }

    private int connect(final long nowNs)
    {
        try
        {
            aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(aeronDir)
                .driverTimeoutMs(2_000)
                .errorHandler(error -> LOG.debug("aeron: {}", error.toString())));
            publication = aeron.addPublication(IpcStreams.CHANNEL, IpcStreams.REQUEST_STREAM_ID);
            subscription = aeron.addSubscription(IpcStreams.CHANNEL, IpcStreams.RESPONSE_STREAM_ID);
            connectionId = IpcStreams.connectionId(publication.sessionId());
            downSinceNs = nowNs;
            nextHeartbeatNs = nowNs;
            LOG.info("gateway linked to the broker's media driver in {}", aeronDir);
            return 1;
        }
        catch (final RuntimeException ex)
        {
            LOG.debug("broker not reachable in {}: {}", aeronDir, ex.toString());
            disconnect();
            sleepQuietly();
            return 0;
        }
    }

    private void disconnect()
    {
        brokerUp = false;
        publication = null;
        failPending("the link to the broker was reset");
        CloseHelper.quietClose(aeron);
        aeron = null;
        subscription = null;
    }

    private static void sleepQuietly()
    {
        try
        {
            Thread.sleep(200);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void sendHeartbeat()
    {
        final Publication current = publication;
        if (null != current)
        {
            final int length = new HealthRequestEncoder()
                .wrapAndApplyHeader(heartbeat, 0, new MessageHeaderEncoder())
                .correlationId(-1).encodedLength() + MessageHeaderEncoder.ENCODED_LENGTH;
            current.offer(heartbeat, 0, length);
        }
    }

    private void onReply(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < 8 + MessageHeaderDecoder.ENCODED_LENGTH + 8 || buffer.getLong(offset) != connectionId)
        {
            return;
        }
        final byte[] copy = new byte[length - 8];
        buffer.getBytes(offset + 8, copy);
        final UnsafeBuffer message = new UnsafeBuffer(copy);
        final MessageHeaderDecoder decoder = new MessageHeaderDecoder().wrap(message, 0);
        if (PushRecordsDecoder.TEMPLATE_ID == decoder.templateId())
        {
            final long subscriptionId = new PushRecordsDecoder().wrapAndApplyHeader(message, 0, decoder)
                .subscriptionId();
            final PushListener listener = pushListeners.get(subscriptionId);
            if (null != listener)
            {
                listener.onPush(new Reply(message, decoder));
            }
            return;
        }
        final long correlationId = message.getLong(MessageHeaderDecoder.ENCODED_LENGTH, Frame.BYTE_ORDER);
        if (-1 == correlationId && HealthResponseDecoder.TEMPLATE_ID == decoder.templateId())
        {
            lastHeartbeatReplyNs = System.nanoTime();
            brokerTimeMs = new HealthResponseDecoder().wrapAndApplyHeader(message, 0, decoder).brokerTimeMs();
            return;
        }
        final CompletableFuture<Reply> future = pending.remove(correlationId);
        if (ErrorResponseDecoder.TEMPLATE_ID == decoder.templateId())
        {
            final ErrorResponseDecoder error = new ErrorResponseDecoder().wrapAndApplyHeader(message, 0, decoder);
            final int code = error.errorCode();
            final BrokerErrorException failure = new BrokerErrorException(code, error.message());
            if (null != future)
            {
                future.completeExceptionally(failure);
            }
            else if (correlationId < 0 && null != pushListeners.get(-correlationId))
            {
                pushListeners.remove(-correlationId).onClosed(failure);
            }
            return;
        }
        if (null != future)
        {
            future.complete(new Reply(message, decoder));
        }
    }

    private void failPending(final String why)
    {
        final BrokerUnavailableException error = new BrokerUnavailableException(why);
        pending.values().forEach(future -> future.completeExceptionally(error));
        pending.clear();
        final BrokerErrorException closed = new BrokerErrorException(
            io.portask.protocol.ErrorCode.NETWORK_ERROR.code(), "the link to the broker was lost: " + why);
        pushListeners.values().forEach(listener -> listener.onClosed(closed));
        pushListeners.clear();
    }

    /**
     * {@inheritDoc}
     */
    public void onClose()
    {
        disconnect();
    }
}
