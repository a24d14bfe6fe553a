package io.portask.transport;

import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.portask.core.ring.RingMessages;
import io.portask.protocol.IpcStreams;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The broker's Aeron IPC transport, for gateways on the same host ({@link IpcStreams}). A gateway offers SBE
 * requests (no frame envelope: Aeron checks and frames); each gateway's publication session is one connection to
 * the core. Responses and pushes go out as {@code [connectionId int64][SBE message]}; every gateway reads them all
 * and keeps its own. A gateway that stops reading back-pressures the publication: the responses wait in the
 * ring (counted) and the core stops taking IPC requests while the ring is full; it never waits for a gateway.
 * <p>
 * Threading: {@link #doWork()} on one thread; Aeron's image handlers only queue notices.
 */
public final class IpcTransport implements Agent
{
    private static final int FRAGMENT_LIMIT = 64;
    private static final int MESSAGE_LIMIT = 64;

    private final RingBuffer inbound;
    private final RingBuffer outbound;
    private final AtomicCounter backPressure;
    private final AtomicCounter dropped;
    private final Subscription subscription;
    private final Publication publication;
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this::onRequest);
    private final ControlledMessageHandler responseHandler = this::onResponse;
    private final ManyToOneConcurrentLinkedQueue<Notice> notices = new ManyToOneConcurrentLinkedQueue<>();
    private final UnsafeBuffer noticeBuffer = new UnsafeBuffer(new byte[RingMessages.MESSAGE_OFFSET + 1024]);
    private Notice pendingNotice;

    private record Notice(int type, long connectionId, String remote)
    {
    }

    /**
     * @param aeron        a connected Aeron client.
     * @param inbound      transport-to-core ring (many producers).
     * @param outbound     core-to-IPC ring.
     * @param backPressure counts back-pressured responses.
     * @param dropped      counts responses dropped for want of a gateway.
     */
    public IpcTransport(
        final Aeron aeron,
        final RingBuffer inbound,
        final RingBuffer outbound,
        final AtomicCounter backPressure,
        final AtomicCounter dropped)
    {
        this.inbound = inbound;
        this.outbound = outbound;
        this.backPressure = backPressure;
        this.dropped = dropped;
        this.subscription = aeron.addSubscription(
            IpcStreams.CHANNEL, IpcStreams.REQUEST_STREAM_ID, this::onImageAvailable, this::onImageUnavailable);
        this.publication = aeron.addPublication(IpcStreams.CHANNEL, IpcStreams.RESPONSE_STREAM_ID);
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return "portask-ipc";
    }

    private void onImageAvailable(final Image image)
    {
        // the session id as the connection id holds it (unsigned): Aeron's random session ids are often negative
        notices.offer(new Notice(RingMessages.CONNECTION_OPENED, IpcStreams.connectionId(image.sessionId()),
            "aeron:ipc session " + Integer.toUnsignedString(image.sessionId()) + " (" + image.sourceIdentity() + ")"));
    }

    private void onImageUnavailable(final Image image)
    {
        notices.offer(new Notice(RingMessages.CONNECTION_CLOSED, IpcStreams.connectionId(image.sessionId()), ""));
    }

    /**
     * {@inheritDoc}
     */
    public int doWork()
    {
        int workCount = deliverNotices();
        workCount += subscription.controlledPoll(assembler, FRAGMENT_LIMIT);
        workCount += outbound.controlledRead(responseHandler, MESSAGE_LIMIT);
        return workCount;
    }

    private int deliverNotices()
    {
        int delivered = 0;
        while (true)
        {
            if (null == pendingNotice)
            {
                pendingNotice = notices.poll();
                if (null == pendingNotice)
                {
                    return delivered;
                }
            }
            if (!RingMessages.writeNotice(inbound, noticeBuffer, pendingNotice.type(), pendingNotice.connectionId(),
                pendingNotice.remote()))
            {
                return delivered;
            }
            pendingNotice = null;
            delivered++;
        }
    }

    private ControlledFragmentHandler.Action onRequest(
        final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final int index = inbound.tryClaim(RingMessages.REQUEST, RingMessages.MESSAGE_OFFSET + length);
        if (index < 0)
        {
            return ControlledFragmentHandler.Action.ABORT;
        }
        final MutableDirectBuffer ring = inbound.buffer();
        ring.putLong(index + RingMessages.CONNECTION_ID_OFFSET, IpcStreams.connectionId(header.sessionId()));
        ring.putBytes(index + RingMessages.MESSAGE_OFFSET, buffer, offset, length);
        inbound.commit(index);
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    private ControlledMessageHandler.Action onResponse(
        final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (RingMessages.CLOSE_CONNECTION == msgTypeId)
        {
            return ControlledMessageHandler.Action.CONTINUE;
        }
        final long result = publication.offer(buffer, index, length);
        if (result > 0)
        {
            return ControlledMessageHandler.Action.CONTINUE;
        }
        if (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result)
        {
            backPressure.incrementRelease();
            return ControlledMessageHandler.Action.ABORT;
        }
        dropped.incrementRelease();
        return ControlledMessageHandler.Action.CONTINUE;
    }

    /**
     * {@inheritDoc}
     */
    public void onClose()
    {
        CloseHelper.closeAll(subscription, publication);
    }
}
