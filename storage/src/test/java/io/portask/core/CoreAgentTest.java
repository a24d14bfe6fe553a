package io.portask.core;

import io.portask.protocol.ErrorCode;
import io.portask.protocol.RecordBatchWriter;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.CommitOffsetRequestEncoder;
import io.portask.protocol.sbe.CreateTopicRequestEncoder;
import io.portask.protocol.sbe.CreditRequestEncoder;
import io.portask.protocol.sbe.ErrorResponseDecoder;
import io.portask.protocol.sbe.FetchCommittedOffsetRequestEncoder;
import io.portask.protocol.sbe.FetchCommittedOffsetResponseDecoder;
import io.portask.protocol.sbe.FetchRequestEncoder;
import io.portask.protocol.sbe.FetchResponseDecoder;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import io.portask.protocol.sbe.MessageHeaderEncoder;
import io.portask.protocol.sbe.ProduceRequestEncoder;
import io.portask.protocol.sbe.ProduceResponseDecoder;
import io.portask.protocol.sbe.PushRecordsDecoder;
import io.portask.protocol.sbe.StorageKind;
import io.portask.protocol.sbe.SubscribeRequestEncoder;
import io.portask.protocol.sbe.SubscribeResponseDecoder;
import io.portask.storage.DiskBrokerStore;
import io.portask.storage.StorageContext;
import io.portask.storage.TestCounters;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntBiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core agent driven directly through its ring buffers, on a real on-disk store, with a clock the test moves.
 */
class CoreAgentTest
{
    private static final long CONNECTION = 11;

    @TempDir
    File dir;

    private final OneToOneRingBuffer inbound = ring();
    private final OneToOneRingBuffer outbound = ring();
    private final CachedNanoClock clock = new CachedNanoClock();
    private final CountersManager counters = new CountersManager(
        new UnsafeBuffer(ByteBuffer.allocateDirect(1024 * 1024)),
        new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)));
    private final UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
    private final UnsafeBuffer batch = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final List<Throwable> errors = new ArrayList<>();
    private DiskBrokerStore store;
    private CoreAgent agent;

    private static OneToOneRingBuffer ring()
    {
        return new OneToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect((16 << 20) + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    @BeforeEach
    void start()
    {
        clock.update(1_000_000_000L);
        open();
        notice(RingMessages.CONNECTION_OPENED, CONNECTION);
        send(CONNECTION, (buffer, header) -> new CreateTopicRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(1).partitions(2).storage(StorageKind.JOURNAL).topic("t").encodedLength());
        assertEquals(1, responses().size());
    }

    private void open()
    {
        store = new DiskBrokerStore(new StorageContext().dataDir(dir));
        agent = new CoreAgent(new CoreContext()
            .inboundRing(inbound)
            .outboundRing(outbound)
            .store(store)
            .counterFactory((typeId, label) -> counters.newCounter(label, typeId))
            .errorHandler(errors::add)
            .nanoClock(clock));
    }

    @AfterEach
    void close()
    {
        agent.onClose();
        store.close();
        assertTrue(errors.isEmpty(), errors.toString());
    }

    private void notice(final int type, final long connectionId)
    {
        RingMessages.writeNotice(inbound, scratch, type, connectionId, "127.0.0.1:40000");
    }

    private void send(final long connectionId, final ToIntBiFunction<MutableDirectBuffer, MessageHeaderEncoder> body)
    {
        scratch.putLong(0, connectionId);
        final int length = body.applyAsInt(scratch, new MessageHeaderEncoder()) + MessageHeaderEncoder.ENCODED_LENGTH;
        assertTrue(inbound.write(RingMessages.REQUEST, scratch, 0, RingMessages.MESSAGE_OFFSET + length));
    }

    private List<UnsafeBuffer> responses()
    {
        agent.doWork();
        final List<UnsafeBuffer> messages = new ArrayList<>();
        outbound.read((type, buffer, index, length) ->
        {
            final byte[] copy = new byte[length - RingMessages.MESSAGE_OFFSET];
            buffer.getBytes(index + RingMessages.MESSAGE_OFFSET, copy);
            messages.add(new UnsafeBuffer(copy));
        });
        return messages;
    }

    private int batchOf(final int records)
    {
        final RecordBatchWriter writer = new RecordBatchWriter().reset(batch, 0, batch.capacity());
        for (int i = 0; i < records; i++)
        {
            writer.append(1_000 + i, null, new byte[]{ (byte)i });
        }
        return writer.seal();
    }

    private void produce(final long correlationId, final int partition, final AckLevel ack, final int records)
    {
        final int length = batchOf(records);
        send(CONNECTION, (buffer, header) -> new ProduceRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(correlationId).partition(partition).ackLevel(ack).topic("t")
            .putBatch(batch, 0, length).encodedLength());
    }

    private void fetch(final long correlationId, final long offset, final int maxWaitMs)
    {
        send(CONNECTION, (buffer, header) -> new FetchRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(correlationId).partition(0).fetchOffset(offset).maxBytes(1 << 20).maxWaitMs(maxWaitMs)
            .topic("t").encodedLength());
    }

    private static MessageHeaderDecoder header(final UnsafeBuffer message)
    {
        return new MessageHeaderDecoder().wrap(message, 0);
    }

    private static ErrorCode errorOf(final UnsafeBuffer message)
    {
        assertEquals(ErrorResponseDecoder.TEMPLATE_ID, header(message).templateId());
        return ErrorCode.get(new ErrorResponseDecoder().wrapAndApplyHeader(message, 0, header(message)).errorCode());
    }

    private long counter(final String label)
    {
        return TestCounters.value(counters, label);
    }

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

    @Test
    void shouldAnswerSyncAckOfTopicDeletedInTheSameCycle()
    {
        produce(3, 0, AckLevel.SYNC, 1);
        send(CONNECTION, (buffer, header) -> new io.portask.protocol.sbe.DeleteTopicRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(4).topic("t").encodedLength());
        final List<UnsafeBuffer> replies = responses();
        assertEquals(2, replies.size());
        assertEquals(io.portask.protocol.sbe.DeleteTopicResponseDecoder.TEMPLATE_ID,
            header(replies.get(0)).templateId());
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorOf(replies.get(1)));
        assertEquals(0, agent.topicCount());
    }

    @Test
    void shouldParkFetchAtHeadUntilRecordsOrDeadline()
    {
        fetch(5, 0, 1_000);
        assertTrue(responses().isEmpty());
        clock.advance(TimeUnit.MILLISECONDS.toNanos(999));
        assertTrue(responses().isEmpty());
        clock.advance(TimeUnit.MILLISECONDS.toNanos(1));
        final UnsafeBuffer empty = responses().get(0);
        final FetchResponseDecoder decoder = new FetchResponseDecoder().wrapAndApplyHeader(empty, 0, header(empty));
        assertEquals(5, decoder.correlationId());
        assertEquals(0, decoder.batchesLength());

        fetch(6, 0, 10_000);
        assertTrue(responses().isEmpty());
        produce(7, 0, AckLevel.JOURNAL, 2);
        final List<UnsafeBuffer> replies = responses();
        assertEquals(2, replies.size());
        final UnsafeBuffer filled = replies.get(1);
        final FetchResponseDecoder answered = new FetchResponseDecoder().wrapAndApplyHeader(filled, 0, header(filled));
        assertEquals(6, answered.correlationId());
        assertEquals(2, answered.highWatermark());
        assertTrue(answered.batchesLength() > 0);
    }

    @Test
    void shouldPushOnlyWhileSubscriptionHasCredit()
    {
        send(CONNECTION, (buffer, header) -> new SubscribeRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(8).partition(0).startOffset(-1).creditBytes(1).topic("t").encodedLength());
        final UnsafeBuffer subscribed = responses().get(0);
        final long subscriptionId = new SubscribeResponseDecoder()
            .wrapAndApplyHeader(subscribed, 0, header(subscribed)).subscriptionId();
        produce(9, 0, AckLevel.JOURNAL, 1);
        produce(10, 0, AckLevel.JOURNAL, 1);
        final List<UnsafeBuffer> first = responses();
        assertEquals(3, first.size(), "two acks and one push: credit 1 byte buys one batch");
        assertEquals(PushRecordsDecoder.TEMPLATE_ID, header(first.get(2)).templateId());
        assertTrue(responses().isEmpty());

        send(CONNECTION, (buffer, header) -> new CreditRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(11).subscriptionId(subscriptionId).creditBytes(1 << 20).encodedLength());
        final List<UnsafeBuffer> second = responses();
        assertEquals(1, second.size());
        final PushRecordsDecoder push =
            new PushRecordsDecoder().wrapAndApplyHeader(second.get(0), 0, header(second.get(0)));
        assertEquals(subscriptionId, push.subscriptionId());
        assertEquals(2, push.highWatermark());
        assertEquals(1, counter("subscriptions"));
        notice(RingMessages.CONNECTION_CLOSED, CONNECTION);
        responses();
        assertEquals(0, counter("subscriptions"));
    }

    @Test
    void shouldDropParkedFetchesOfClosedConnection()
    {
        fetch(5, 0, 1_000);
        responses();
        notice(RingMessages.CONNECTION_CLOSED, CONNECTION);
        clock.advance(TimeUnit.SECONDS.toNanos(2));
        assertTrue(responses().isEmpty());
    }

    @Test
    void shouldRecoverTopicsRecordsAndCommittedOffsets()
    {
        produce(2, 0, AckLevel.JOURNAL, 4);
        send(CONNECTION, (buffer, header) -> new CommitOffsetRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(3).partition(0).committedOffset(2).group("g").topic("t").encodedLength());
        assertEquals(2, responses().size());
        agent.onClose();
        store.close();

        open();
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
