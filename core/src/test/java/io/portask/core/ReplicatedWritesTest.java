package io.portask.core;

import io.portask.core.ring.RingMessages;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.CommitOffsetResponseDecoder;
import io.portask.protocol.sbe.CreateTopicResponseDecoder;
import io.portask.protocol.sbe.ErrorResponseDecoder;
import io.portask.protocol.sbe.GroupHeartbeatRequestEncoder;
import io.portask.protocol.sbe.HealthRequestEncoder;
import io.portask.protocol.sbe.HealthResponseDecoder;
import io.portask.protocol.sbe.ProduceRequestEncoder;
import io.portask.protocol.sbe.ProduceResponseDecoder;
import io.portask.protocol.sbe.StorageKind;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes to a replicated topic on a cluster node, against a link that stands in for the cluster: the leader sends
 * them and answers when the cluster does, a follower names the leader, every node applies the committed log once.
 */
class ReplicatedWritesTest extends CoreAgentHarness
{
    private final FakeLink link = new FakeLink();

    @BeforeEach
    @Override
    void start()
    {
        replication = link;
        super.start();
    }

    @Test
    void shouldCreateAReplicatedTopicThroughTheClusterAndOpenItWhenCommitted()
    {
        createTopic(2, "r", 1, StorageKind.REPLICATED);
        assertTrue(responses().isEmpty(), "answered once committed, not before");
        assertEquals(List.of("create r/1"), link.offered);
        link.commit(applier -> applier.onCreateTopic("r", 1, -1, -1));
        link.answer(1, 0);
        final UnsafeBuffer answer = responses().get(0);
        assertEquals(CreateTopicResponseDecoder.TEMPLATE_ID, header(answer).templateId());
        assertEquals(2, counter("topics"), "the committed create opened the topic");

        createTopic(3, "r", 1, StorageKind.REPLICATED);
        link.answer(2, ReplicationLink.TOPIC_EXISTS);
        assertEquals(ErrorCode.TOPIC_ALREADY_EXISTS, errorOf(responses().get(0)));
    }

    @Test
    void shouldAnswerAProduceWithTheOffsetTheClusterCommittedItAt()
    {
        openReplicated();
        produceTo(5, 3);
        assertTrue(responses().isEmpty());
        assertEquals("append r/0 producer -1", link.offered.get(link.offered.size() - 1));
        link.answer(2, 40);
        final UnsafeBuffer answer = responses().get(0);
        final ProduceResponseDecoder produced = new ProduceResponseDecoder().wrapAndApplyHeader(answer, 0,
            header(answer));
        assertEquals(5, produced.correlationId());
        assertEquals(40, produced.baseOffset());

        produceTo(6, 1);
        link.answer(3, ReplicationLink.OUT_OF_ORDER);
        assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE, errorOf(responses().get(0)));
    }

    @Test
    void shouldApplyTheCommittedLogOnceSkippingReplaysAndReportingAGap()
    {
        openReplicated();
        commitAppend(0, 2);
        commitAppend(0, 2); // replayed: skipped
        commitAppend(2, 2);
        responses();
        assertEquals(4, counter("high watermark: r/0"), "two batches of two, the replay not applied again");
        commitAppend(9, 2);
        responses();
        assertEquals(4, counter("high watermark: r/0"), "a gap is not filled with the wrong offsets");
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).getMessage().contains("before the committed offset 9"), errors.toString());
        errors.clear();
    }

    @Test
    void shouldNameTheLeaderOnAFollowerAndTimeOutWhatTheClusterLost()
    {
        openReplicated();
        link.leader = 2;
        produceTo(7, 1);
        final UnsafeBuffer notLeader = responses().get(0);
        assertEquals(ErrorCode.NOT_LEADER, errorOf(notLeader));
        assertTrue(new ErrorResponseDecoder().wrapAndApplyHeader(notLeader, 0, header(notLeader)).message()
            .startsWith("leader=10.0.0.3:7070 "));

        send(CONNECTION, (buffer, header) -> new ProduceRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header).correlationId(71).partition(0)
            .ackLevel(AckLevel.QUORUM).topic("not-here-yet").putBatch(batch, 0, batchOf(1)).encodedLength());
        assertEquals(ErrorCode.NOT_LEADER, errorOf(responses().get(0)), "a topic the leader may know already");

        link.leader = 0;
        produceTo(8, 1);
        assertTrue(responses().isEmpty());
        clock.advance(ReplicatedWrites.TIMEOUT_NS + TimeUnit.SECONDS.toNanos(1));
        assertEquals(ErrorCode.REQUEST_TIMEOUT, errorOf(responses().get(0)));
        link.answer(3, 0);
        assertTrue(responses().isEmpty(), "a late answer after the time-out is dropped");

        link.refuse = true;
        produceTo(9, 1);
        assertEquals(ErrorCode.THROTTLED, errorOf(responses().get(0)));
    }

    @Test
    void shouldCommitAGroupOffsetThroughTheClusterAndRecordTheCommittedOne()
    {
        openReplicated();
        commitAppend(0, 3);
        responses();
        commit(3, "billing", "r", 3);
        assertTrue(responses().isEmpty(), "answered once committed");
        assertEquals("commit billing r/0@3", link.offered.get(link.offered.size() - 1));
        link.commit(applier -> applier.onCommit("billing", "r", 0, 3));
        link.answer(2, 0);
        assertEquals(CommitOffsetResponseDecoder.TEMPLATE_ID, header(responses().get(0)).templateId());
        assertEquals(3, committed(4, "billing", "r"), "every node records the committed offset");
    }

    @Test
    void shouldSendAGroupOfReplicatedTopicsToTheLeader()
    {
        openReplicated();
        link.leader = 1;
        send(CONNECTION, (buffer, header) ->
        {
            final GroupHeartbeatRequestEncoder heartbeat = new GroupHeartbeatRequestEncoder()
                .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header).correlationId(5).memberEpoch(0)
                .sessionTimeoutMs(10_000);
            heartbeat.subscribedTopicsCount(1).next().topic("r");
            heartbeat.ownedPartitionsCount(0);
            return heartbeat.group("billing").memberId("").instanceId("").assignor("").encodedLength();
        });
        assertEquals(ErrorCode.NOT_LEADER, errorOf(responses().get(0)));
    }

    @Test
    void shouldRefuseToDeleteAReplicatedTopicOnOneNode()
    {
        openReplicated();
        deleteTopic(3, "r");
        assertEquals(ErrorCode.INVALID_REQUEST, errorOf(responses().get(0)));
        assertEquals(2, counter("topics"), "the topic stays");
    }

    @Test
    void shouldSayWhereTheNodeStandsInHealth()
    {
        link.logPosition = 4096;
        send(CONNECTION, (buffer, header) -> new HealthRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header).correlationId(4).encodedLength());
        final UnsafeBuffer answer = responses().get(0);
        final HealthResponseDecoder health = new HealthResponseDecoder().wrapAndApplyHeader(answer, 0, header(answer));
        assertEquals(0, health.clusterNode());
        assertEquals(0, health.clusterLeader());
        assertEquals(4096, health.clusterLogPosition());
        assertEquals(0, counter("cluster leader"));
    }

    private void openReplicated()
    {
        createTopic(2, "r", 1, StorageKind.REPLICATED);
        link.commit(applier -> applier.onCreateTopic("r", 1, -1, -1));
        link.answer(1, 0);
        responses();
    }

    /**
     * The cluster committed a batch of this many records to r/0 at this offset.
     */
    private void commitAppend(final long baseOffset, final int records)
    {
        final int length = batchOf(records);
        final UnsafeBuffer name = new UnsafeBuffer("r".getBytes(StandardCharsets.UTF_8));
        link.commit(applier -> applier.onAppend(name, 0, 1, 0, baseOffset, batch, 0, length));
    }

    private void produceTo(final long correlationId, final int records)
    {
        final int length = batchOf(records);
        send(CONNECTION, (buffer, header) -> new ProduceRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(correlationId).partition(0).ackLevel(AckLevel.QUORUM).topic("r")
            .putBatch(batch, 0, length).encodedLength());
    }

    /**
     * The cluster as the core sees it: member 0 of three; what is offered is recorded, what is committed and
     * answered is handed to the applier at the next poll.
     */
    private static final class FakeLink implements ReplicationLink
    {
        final List<String> offered = new ArrayList<>();
        final List<Consumer<Applier>> pending = new ArrayList<>();
        int leader;
        long logPosition = -1;
        boolean refuse;

        void commit(final Consumer<Applier> entry)
        {
            pending.add(entry);
        }

        void answer(final long requestId, final long result)
        {
            pending.add(applier -> applier.onAnswer(requestId, result));
        }

        public int memberId()
        {
            return 0;
        }

        public int leaderMemberId()
        {
            return leader;
        }

        public long logPosition()
        {
            return logPosition;
        }

        public String leaderAddress()
        {
            return "10.0.0." + (leader + 1) + ":7070";
        }

        public boolean offerAppend(final long requestId, final byte[] topic, final int partition,
            final long producerId, final long sequence, final DirectBuffer batch, final int offset, final int length)
        {
            offered.add("append " + new String(topic, StandardCharsets.UTF_8) + "/" + partition + " producer " +
                producerId);
            return !refuse;
        }

        public boolean offerCreateTopic(final long requestId, final String topic, final int partitions,
            final long retentionMs, final long retentionBytes)
        {
            offered.add("create " + topic + "/" + partitions);
            return !refuse;
        }

        public boolean offerCommit(final long requestId, final String group, final String topic,
            final int partition, final long offset)
        {
            offered.add("commit " + group + " " + topic + "/" + partition + "@" + offset);
            return !refuse;
        }

        public int poll(final Applier applier, final long nowNs)
        {
            final int work = pending.size();
            pending.forEach(entry -> entry.accept(applier));
            pending.clear();
            return work;
        }
    }
}
