package io.portask.core;

import io.portask.core.ring.RingMessages;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.AdminAction;
import io.portask.protocol.sbe.AdminResponseDecoder;
import io.portask.protocol.sbe.AdminRequestEncoder;
import io.portask.protocol.sbe.HealthRequestEncoder;
import io.portask.protocol.sbe.HealthResponseDecoder;
import io.portask.protocol.sbe.ListConnectionsRequestEncoder;
import io.portask.protocol.sbe.ListConnectionsResponseDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The connection handler: connections counted and listed, health, admin actions this broker cannot do, and admin
 * actions answered when they finish on another thread.
 */
class ConnectionHandlerTest extends CoreAgentHarness
{
    @Test
    void shouldCountListAndForgetConnections()
    {
        notice(RingMessages.CONNECTION_OPENED, 12);
        send(CONNECTION, (buffer, header) -> new ListConnectionsRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header).correlationId(2).encodedLength());
        final UnsafeBuffer listed = responses().get(0);
        final ListConnectionsResponseDecoder decoder =
            new ListConnectionsResponseDecoder().wrapAndApplyHeader(listed, 0, header(listed));
        assertEquals(2, decoder.connections().count());
        assertEquals(2, counter("connections active"));

        notice(RingMessages.CONNECTION_CLOSED, 12);
        notice(RingMessages.CONNECTION_CLOSED, 12);
        send(CONNECTION, (buffer, header) -> new HealthRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header).correlationId(3).encodedLength());
        final UnsafeBuffer health = responses().get(0);
        final HealthResponseDecoder answer = new HealthResponseDecoder().wrapAndApplyHeader(health, 0, header(health));
        assertEquals(1, answer.connectionCount());
        assertEquals(1, answer.topicCount());
        assertEquals(1, counter("connections active"));
        assertEquals(2, counter("connections total"));
    }

    @Test
    void shouldRefuseAnAdminActionWithNothingToAdminister()
    {
        send(CONNECTION, (buffer, header) -> new AdminRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header).correlationId(2)
            .action(AdminAction.PAUSE_WRITE_BEHIND).encodedLength());
        assertEquals(ErrorCode.INVALID_REQUEST, errorOf(responses().get(0)));
    }

    @Test
    void shouldAnswerAnAdminActionWhenItFinishesOnAnotherThread() throws Exception
    {
        final CompletableFuture<String> reload = new CompletableFuture<>();
        final CompletableFuture<String> refused = new CompletableFuture<>();
        adminHandler = action -> AdminAction.RELOAD_CONFIG == action ? reload : refused;
        sendAdmin(7, AdminAction.RELOAD_CONFIG);
        sendAdmin(8, AdminAction.PAUSE_WRITE_BEHIND);
        assertTrue(responses().isEmpty(), "nothing to answer until the actions finish");

        final Thread owner = new Thread(() ->
        {
            reload.complete("applied idle strategy YIELDING");
            refused.completeExceptionally(new IllegalStateException("config reload refused, nothing changed: bad"));
        });
        owner.start();
        owner.join();
        final List<UnsafeBuffer> answers = responses();
        assertEquals(2, answers.size());
        final AdminResponseDecoder applied =
            new AdminResponseDecoder().wrapAndApplyHeader(answers.get(0), 0, header(answers.get(0)));
        assertEquals(7, applied.correlationId());
        assertEquals("applied idle strategy YIELDING", applied.state());
        assertEquals(ErrorCode.INVALID_REQUEST, errorOf(answers.get(1)));
    }

    private void sendAdmin(final long correlationId, final AdminAction action)
    {
        send(CONNECTION, (buffer, header) -> new AdminRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header).correlationId(correlationId)
            .action(action).encodedLength());
    }
}
