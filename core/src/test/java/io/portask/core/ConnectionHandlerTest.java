package io.portask.core;

import io.portask.core.ring.RingMessages;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.AdminAction;
import io.portask.protocol.sbe.AdminRequestEncoder;
import io.portask.protocol.sbe.HealthRequestEncoder;
import io.portask.protocol.sbe.HealthResponseDecoder;
import io.portask.protocol.sbe.ListConnectionsRequestEncoder;
import io.portask.protocol.sbe.ListConnectionsResponseDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The connection handler: connections counted and listed, health, and admin actions this broker cannot do.
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
}
