package io.portask.core;

import io.portask.core.acl.Acl;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.AdminAction;
import io.portask.protocol.sbe.AdminRequestDecoder;
import io.portask.protocol.sbe.ListConnectionsRequestDecoder;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Connections as the core sees them (opened, closed, listed), and the requests about the broker itself: health and
 * operator actions (answered when they finish, which may be cycles later). A closed connection's held acks, parked
 * fetches and subscriptions go with it.
 * <p>
 * Threading: the core agent's thread only.
 */
final class ConnectionHandler
{
    /** The principal of a connection that did not authenticate. */
    static final String ANONYMOUS = "ANONYMOUS";

    /**
     * An open connection as ListConnections reports it.
     *
     * @param connectionId the core's id.
     * @param remote       who is at the other end.
     * @param openedAtMs   when it opened, epoch ms.
     */
    record ConnectionInfo(long connectionId, String remote, long openedAtMs)
    {
    }

    private record AdminAnswer(long connectionId, long correlationId, CompletableFuture<String> answer)
    {
    }

    private final ResponseProxy proxy;
    private final CoreCounters counters;
    private final TopicTable topics;
    private final EpochClock epochClock;
    private final AdminHandler adminHandler;
    private final ProduceHandler produce;
    private final FetchHandler fetch;
    private final SubscriptionHandler subscriptions;
    private final Authorizer authorizer;
    private final Long2ObjectHashMap<ConnectionInfo> connections = new Long2ObjectHashMap<>();
    private final ManyToOneConcurrentLinkedQueue<AdminAnswer> adminAnswers = new ManyToOneConcurrentLinkedQueue<>();

    ConnectionHandler(
        final ResponseProxy proxy,
        final CoreCounters counters,
        final CoreContext ctx,
        final TopicTable topics,
        final ProduceHandler produce,
        final FetchHandler fetch,
        final SubscriptionHandler subscriptions,
        final Authorizer authorizer)
    {
        this.authorizer = authorizer;
        this.proxy = proxy;
        this.counters = counters;
        this.topics = topics;
        this.epochClock = ctx.epochClock();
        this.adminHandler = ctx.adminHandler();
        this.produce = produce;
        this.fetch = fetch;
        this.subscriptions = subscriptions;
    }

    void onConnectionOpened(final long connectionId, final String remote)
    {
        connections.put(connectionId, new ConnectionInfo(connectionId, remote, epochClock.time()));
        counters.connectionsActive().incrementRelease();
        counters.connectionsTotal().incrementRelease();
    }

    /**
     * The transport authenticated the connection.
     */
    void onConnectionAuthenticated(final long connectionId, final String principal)
    {
        authorizer.onAuthenticated(connectionId, principal);
    }

    void onConnectionClosed(final long connectionId)
    {
        subscriptions.onConnectionClosed(connectionId);
        authorizer.onConnectionClosed(connectionId);
        if (null == connections.remove(connectionId))
        {
            return;
        }
        counters.connectionsActive().decrementRelease();
        fetch.onConnectionClosed(connectionId);
        produce.onConnectionClosed(connectionId);
    }

    void onHealth(final long connectionId, final long correlationId)
    {
        final ReplicatedWrites cluster = produce.replicated();
        proxy.sendHealth(connectionId, correlationId, epochClock.time(), topics.size(), connections.size(),
            cluster.memberId(), cluster.leaderMemberId(), cluster.logPosition());
    }

    void onListConnections(final long connectionId, final long correlationId)
    {
        if (!authorizer.allowed(connectionId, Acl.Operation.DESCRIBE, Acl.ResourceType.CLUSTER, ""))
        {
            proxy.sendError(connectionId, correlationId, ListConnectionsRequestDecoder.TEMPLATE_ID,
                ErrorCode.NOT_AUTHORIZED, authorizer.denied(connectionId, Acl.Operation.DESCRIBE,
                Acl.ResourceType.CLUSTER, ""));
            return;
        }
        proxy.sendConnections(connectionId, correlationId, connections.values());
    }

    void onAdmin(final long connectionId, final long correlationId, final AdminAction action)
    {
        if (!authorizer.allowed(connectionId, Acl.Operation.ADMIN, Acl.ResourceType.CLUSTER, ""))
        {
            proxy.sendError(connectionId, correlationId, AdminRequestDecoder.TEMPLATE_ID, ErrorCode.NOT_AUTHORIZED,
                authorizer.denied(connectionId, Acl.Operation.ADMIN, Acl.ResourceType.CLUSTER, ""));
            return;
        }
        if (AdminAction.NULL_VAL == action)
        {
            proxy.sendError(connectionId, correlationId, AdminRequestDecoder.TEMPLATE_ID,
                ErrorCode.INVALID_REQUEST, "unknown admin action");
            return;
        }
        final CompletableFuture<String> answer;
        try
        {
            answer = adminHandler.onAdmin(action);
        }
        catch (final IllegalStateException ex)
        {
            proxy.sendError(connectionId, correlationId, AdminRequestDecoder.TEMPLATE_ID,
                ErrorCode.INVALID_REQUEST, ex.getMessage());
            return;
        }
        if (answer.isDone())
        {
            answerAdmin(connectionId, correlationId, answer);
        }
        else
        {
            // completed on the owner's thread: only queue it, the duty cycle answers
            answer.whenComplete((state, error) -> adminAnswers.offer(new AdminAnswer(connectionId, correlationId,
                answer)));
        }
    }

    /**
     * Duty cycle: answer the admin actions that finished on other threads.
     */
    int doWork()
    {
        int count = 0;
        AdminAnswer done;
        while (null != (done = adminAnswers.poll()))
        {
            answerAdmin(done.connectionId(), done.correlationId(), done.answer());
            count++;
        }
        return count;
    }

    private void answerAdmin(final long connectionId, final long correlationId, final CompletableFuture<String> answer)
    {
        try
        {
            proxy.sendAdmin(connectionId, correlationId, answer.join());
        }
        catch (final CompletionException | CancellationException ex)
        {
            final Throwable cause = null == ex.getCause() ? ex : ex.getCause();
            proxy.sendError(connectionId, correlationId, AdminRequestDecoder.TEMPLATE_ID,
                ErrorCode.INVALID_REQUEST, String.valueOf(cause.getMessage()));
        }
    }
}
