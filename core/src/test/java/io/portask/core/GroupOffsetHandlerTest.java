package io.portask.core;

import io.portask.core.ring.RingMessages;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.CommitOffsetRequestEncoder;
import io.portask.protocol.sbe.FetchCommittedOffsetRequestEncoder;
import io.portask.protocol.sbe.FetchCommittedOffsetResponseDecoder;
import io.portask.protocol.sbe.ProduceResponseDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

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
            .correlationId(3).partition(0).committedOffset(2).group("g").topic("t").memberId("").encodedLength());
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

    @Test
    void shouldKeepGroupsApartAndAnswerMinusOneForNoCommit()
    {
        produce(2, 0, AckLevel.JOURNAL, 4);
        commit(3, "a", 1);
        commit(4, "b", 3);
        assertEquals(3, responses().size());
        assertEquals(1, committed(5, "a"));
        assertEquals(3, committed(6, "b"));
        assertEquals(-1, committed(7, "never"));
    }

    @Test
    void shouldCountEachGroupsLagOnEachPartitionItCommittedOn()
    {
        produce(2, 0, AckLevel.JOURNAL, 4);
        commit(3, "g", 1);
        commit(4, "h", 4);
        responses();
        epochClock.advance(1_000);
        agent.doWork();
        assertEquals(3, counter("group lag: g t/0"));
        assertEquals(0, counter("group lag: h t/0"));
    }

    @Test
    void shouldForgetOffsetsOfADeletedTopic()
    {
        produce(2, 0, AckLevel.JOURNAL, 4);
        commit(3, "g", 2);
        deleteTopic(4, "t");
        createTopic(5, "t", 2);
        assertEquals(4, responses().size());
        assertEquals(-1, committed(6, "g"));
        restart();
        assertEquals(-1, committed(7, "g"));
    }

    @Test
    void shouldRefuseAGroupNameWithNulOrTooLong()
    {
        commit(3, "bad\u0000name", 0);
        commit(4, "x".repeat(GroupOffsetHandler.MAX_GROUP_NAME + 1), 0);
        commit(5, "g", 99);
        final List<UnsafeBuffer> replies = responses();
        assertEquals(ErrorCode.INVALID_REQUEST, errorOf(replies.get(0)));
        assertEquals(ErrorCode.INVALID_REQUEST, errorOf(replies.get(1)));
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, errorOf(replies.get(2)));
    }
}
