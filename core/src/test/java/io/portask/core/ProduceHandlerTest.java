package io.portask.core;

import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.ProduceResponseDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The produce handler: offsets, counters and ack levels.
 */
class ProduceHandlerTest extends CoreAgentHarness
{
    @Test
    void shouldAssignOffsetsAndCountRecords()
    {
        produce(2, 1, AckLevel.JOURNAL, 3);
        produce(3, 1, AckLevel.JOURNAL, 2);
        final List<UnsafeBuffer> replies = responses();
        final ProduceResponseDecoder second =
            new ProduceResponseDecoder().wrapAndApplyHeader(replies.get(1), 0, header(replies.get(1)));
        assertEquals(3, second.correlationId());
        assertEquals(3, second.baseOffset());
        assertEquals(5, counter("records appended: t/1"));
        assertEquals(2, counter("requests: Produce"));
        assertEquals(1, counter("connections active"));
    }

    @Test
    void shouldAnswerAckNoneWithNothingAndSyncAfterFlush()
    {
        produce(2, 0, AckLevel.NONE, 1);
        produce(3, 0, AckLevel.SYNC, 1);
        final List<UnsafeBuffer> replies = responses();
        assertEquals(1, replies.size());
        assertEquals(1, new ProduceResponseDecoder().wrapAndApplyHeader(replies.get(0), 0, header(replies.get(0)))
            .baseOffset());
    }

}
