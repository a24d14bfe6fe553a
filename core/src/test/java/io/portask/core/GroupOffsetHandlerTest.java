package io.portask.core;

import io.portask.core.ring.RingMessages;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.CommitOffsetRequestEncoder;
import io.portask.protocol.sbe.FetchCommittedOffsetRequestEncoder;
import io.portask.protocol.sbe.FetchCommittedOffsetResponseDecoder;
import io.portask.protocol.sbe.ProduceResponseDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The group offset handler: commits survive a restart.
 */
class GroupOffsetHandlerTest extends CoreAgentHarness
{
    @Test
    void shouldRecoverTopicsRecordsAndCommittedOffsets()
    {
        produce(2, 0, AckLevel.JOURNAL, 4);
        send(CONNECTION, (buffer, header) -> new CommitOffsetRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(3).partition(0).committedOffset(2).group("g").topic("t").encodedLength());
        assertEquals(2, responses().size());
        restart();
        assertEquals(1, agent.topicCount());
        send(CONNECTION, (buffer, header) -> new FetchCommittedOffsetRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(4).partition(0).group("g").topic("t").encodedLength());
        final UnsafeBuffer committed = responses().get(0);
        assertEquals(2, new FetchCommittedOffsetResponseDecoder()
            .wrapAndApplyHeader(committed, 0, header(committed)).committedOffset());
        produce(5, 0, AckLevel.JOURNAL, 1);
        final UnsafeBuffer ack = responses().get(0);
        assertEquals(4, new ProduceResponseDecoder().wrapAndApplyHeader(ack, 0, header(ack)).baseOffset());
    }

}
