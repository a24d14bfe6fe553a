package io.portask.core;

import io.portask.core.ring.RingMessages;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The request adapter: malformed requests get an error code and never reach a log.
 */
class RequestAdapterTest extends CoreAgentHarness
{
    @Test
    void shouldAnswerMalformedRequestsWithoutTouchingTheLog()
    {
        send(CONNECTION, (buffer, header) ->
        {
            header.wrap(buffer, RingMessages.MESSAGE_OFFSET).blockLength(8).templateId(500)
                .schemaId(MessageHeaderDecoder.SCHEMA_ID).version(1);
            return 8;
        });
        send(CONNECTION, (buffer, header) ->
        {
            header.wrap(buffer, RingMessages.MESSAGE_OFFSET).blockLength(8).templateId(2).schemaId(1).version(1);
            return 8;
        });
        send(CONNECTION, (buffer, header) -> 0);
        fetch(9, 1, 0);
        final List<UnsafeBuffer> replies = responses();
        assertEquals(ErrorCode.UNKNOWN_REQUEST, errorOf(replies.get(0)));
        assertEquals(ErrorCode.UNKNOWN_REQUEST, errorOf(replies.get(1)));
        assertEquals(ErrorCode.INVALID_REQUEST, errorOf(replies.get(2)));
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, errorOf(replies.get(3)));
        assertEquals(1, counter("errors: OFFSET_OUT_OF_RANGE"));
    }

}
