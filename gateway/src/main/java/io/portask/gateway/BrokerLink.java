package io.portask.gateway;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.portask.protocol.IpcStreams;
import io.portask.protocol.link.Reply;
import io.portask.protocol.link.RequestEncoder;
import io.portask.protocol.link.Requests;
import io.portask.protocol.link.ResponseCorrelator;
import io.portask.protocol.sbe.HealthResponseDecoder;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import io.portask.protocol.sbe.PushRecordsDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's link to the broker over Aeron IPC ({@link IpcStreams}): requests from any thread are offered on
 * one publication, replies are read by this agent and matched by correlation id ({@link ResponseCorrelator},
 * shared with the client SDK). A Health request every
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

    private static final Logger LOG = LoggerFactory.getLogger(BrokerLink.class);
    private static final long HEARTBEAT_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long HEARTBEAT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long RECONNECT_AFTER_NS = TimeUnit.SECONDS.toNanos(3);
    private static final RequestEncoder HEARTBEAT = Requests.health();

    private final String aeronDir;
    private final ResponseCorrelator correlator;
    private final Map<Long, PushListener> pushListeners = new ConcurrentHashMap<>();
    private final ThreadLocal<ExpandableDirectByteBuffer> buffers =
        ThreadLocal.withInitial(() -> new ExpandableDirectByteBuffer(4096));
    private final FragmentAssembler assembler = new FragmentAssembler(this::onReply);
    private final UnsafeBuffer heartbeat = new UnsafeBuffer(new byte[64]);
    private final UnsafeBuffer replyView = new UnsafeBuffer(0, 0);
    private final LinkIdleStrategy idle;
    private volatile Aeron aeron;
    private volatile Publication publication;
    private volatile boolean brokerUp;
    private volatile long lastHeartbeatReplyNs;
    private volatile long brokerTimeMs;
    private volatile Doorbell doorbell = Doorbell.NONE;
    private Subscription subscription;
    private long connectionId;
    private long nextHeartbeatNs;
    private long downSinceNs;

    BrokerLink(final String aeronDir, final Duration requestTimeout, final long maxParkNs)
    {
        this.aeronDir = aeronDir;
        this.idle = new LinkIdleStrategy(maxParkNs);
        this.correlator = new ResponseCorrelator(requestTimeout, BrokerErrorException::new,
            new ResponseCorrelator.Unmatched()
            {
                public void onPush(final Reply push)
                {
                    final long subscriptionId = new PushRecordsDecoder()
                        .wrapAndApplyHeader(push.buffer(), 0, push.header()).subscriptionId();
                    final PushListener listener = pushListeners.get(subscriptionId);
                    if (null != listener)
                    {
                        listener.onPush(push);
                    }
                }

                public void onUnmatched(final long correlationId, final Reply reply, final RuntimeException error)
                {
                    onUnmatchedReply(correlationId, reply, error);
                }
            });
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
        return correlator.send(encoder, (request, correlationId) ->
        {
            final ExpandableDirectByteBuffer buffer = buffers.get();
            if (!offer(current, buffer, request.encode(buffer, 0, correlationId)))
            {
                throw new BrokerUnavailableException("the broker does not take requests now");
            }
        });
    }

    /**
     * Send a request on behalf of the principal an HTTP or WebSocket caller authenticated as; the broker checks its
     * ACLs for that principal.
     *
     * @param principal who the request is for, or null for the gateway's own connection (ANONYMOUS).
     * @param encoder   writes the request.
     * @return completes with the response.
     */
    CompletableFuture<Reply> send(final String principal, final RequestEncoder encoder)
    {
        return send(null == principal ? encoder : Requests.proxied(principal, encoder));
    }

    /**
     * @param principal who the request is for, or null.
     * @param encoder   writes it.
     * @return false when it could not be sent.
     */
    boolean sendOneWay(final String principal, final RequestEncoder encoder)
    {
        return sendOneWay(null == principal ? encoder : Requests.proxied(principal, encoder));
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
        return offer(current, buffer, encoder.encode(buffer, 0, correlator.nextCorrelationId()));
    }

    void addPushListener(final long subscriptionId, final PushListener listener)
    {
        pushListeners.put(subscriptionId, listener);
    }

    void removePushListener(final long subscriptionId)
    {
        pushListeners.remove(subscriptionId);
    }

    /**
     * @return how the link's thread idles: eagerly after a request went out, woken by the request when parked.
     */
    LinkIdleStrategy idleStrategy()
    {
        return idle;
    }

    private boolean offer(final Publication publication, final DirectBuffer buffer, final int length)
    {
        for (int attempt = 0; attempt < 1_000; attempt++)
        {
            final long result = publication.offer(buffer, 0, length);
            if (result > 0)
            {
                doorbell.ring(); // the broker first: waking a thread on an idle CPU costs the waker tens of us here
                idle.onSend();
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
            doorbell.close(); // the last broker's: the heartbeat opens this one's
            doorbell = Doorbell.NONE;
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
        doorbell.close();
        doorbell = Doorbell.NONE;
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
            if (!doorbell.isOpen())
            {
                doorbell = Doorbell.open(aeronDir, aeron.countersReader()); // the broker may not have rung it up yet
            }
            if (current.offer(heartbeat, 0, HEARTBEAT.encode(heartbeat, 0, -1)) > 0)
            {
                doorbell.ring();
            }
        }
    }

    private void onReply(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < 8 + MessageHeaderDecoder.ENCODED_LENGTH + 8 || buffer.getLong(offset) != connectionId)
        {
            return;
        }
        replyView.wrap(buffer, offset + 8, length - 8);
        correlator.onMessage(replyView, length - 8); // in place: the correlator copies what it keeps
    }

    private void onUnmatchedReply(final long correlationId, final Reply reply, final RuntimeException error)
    {
        if (-1 == correlationId && HealthResponseDecoder.TEMPLATE_ID == reply.templateId())
        {
            lastHeartbeatReplyNs = System.nanoTime();
            brokerTimeMs = new HealthResponseDecoder().wrapAndApplyHeader(reply.buffer(), 0, reply.header())
                .brokerTimeMs();
        }
        else if (error instanceof BrokerErrorException failure && correlationId < 0)
        {
            final PushListener listener = pushListeners.remove(-correlationId);
            if (null != listener)
            {
                listener.onClosed(failure);
            }
        }
    }

    private void failPending(final String why)
    {
        correlator.failAll(new BrokerUnavailableException(why));
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
