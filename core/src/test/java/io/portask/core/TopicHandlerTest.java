package io.portask.core;

import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.DeleteTopicResponseDecoder;
import io.portask.protocol.sbe.ErrorResponseDecoder;
import io.portask.protocol.sbe.StorageKind;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The topic handler: create and delete, and what a delete does to held acks.
 */
class TopicHandlerTest extends CoreAgentHarness
{
    @Test
    void shouldAnswerSyncAckOfTopicDeletedInTheSameCycle()
    {
        produce(3, 0, AckLevel.SYNC, 1);
        deleteTopic(4, "t");
        final List<UnsafeBuffer> replies = responses();
        assertEquals(2, replies.size());
        assertEquals(DeleteTopicResponseDecoder.TEMPLATE_ID,
            header(replies.get(0)).templateId());
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorOf(replies.get(1)));
        assertEquals(0, agent.topicCount());
    }

    @Test
    void shouldRefuseAReplicatedTopicOnABrokerThatIsNotInACluster()
    {
        createTopic(2, "r", 1, StorageKind.REPLICATED);
        final UnsafeBuffer answer = responses().get(0);
        assertEquals(ErrorCode.INVALID_REQUEST, errorOf(answer));
        assertEquals("replicated topics need a cluster: this broker has no portask.cluster.members",
            new ErrorResponseDecoder().wrapAndApplyHeader(answer, 0, header(answer)).message());
        assertEquals(1, counter("topics"), "nothing created");
    }

    @Test
    void shouldRefuseADuplicateOrInvalidTopicAndListTheRest()
    {
        createTopic(2, "t", 1);
        createTopic(3, "bad/name", 1);
        createTopic(4, "u", 0);
        createTopic(5, "a", 3);
        final List<UnsafeBuffer> replies = responses();
        assertEquals(ErrorCode.TOPIC_ALREADY_EXISTS, errorOf(replies.get(0)));
        assertEquals(ErrorCode.INVALID_REQUEST, errorOf(replies.get(1)));
        assertEquals(ErrorCode.INVALID_REQUEST, errorOf(replies.get(2)));
        assertEquals(2, agent.topicCount());
        assertEquals(2, counter("topics"));
        restart();
        assertEquals(2, agent.topicCount());
    }

    @Test
    void shouldRefuseATopicTheCountersHaveNoRoomForAndKeepNothingOfIt()
    {
        createTopic(2, "huge", 4000);
        createTopic(3, "small", 2);
        final List<UnsafeBuffer> replies = responses();
        assertEquals(ErrorCode.INVALID_REQUEST, errorOf(replies.get(0)), "answered, not thrown out of the core");
        assertEquals(2, agent.topicCount(), "t from the harness and small; nothing of huge");
        restart();
        assertEquals(2, agent.topicCount(), "nor after a restart");
    }

    @Test
    void shouldAnswerParkedFetchesOfADeletedTopic()
    {
        fetch(2, 0, 10_000);
        deleteTopic(3, "t");
        final List<UnsafeBuffer> replies = responses();
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorOf(replies.get(0)));
        assertEquals(2, new ErrorResponseDecoder()
            .wrapAndApplyHeader(replies.get(0), 0, header(replies.get(0))).correlationId());
    }
}
