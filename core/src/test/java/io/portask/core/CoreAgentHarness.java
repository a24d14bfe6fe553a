package io.portask.core;

import io.portask.core.ring.RingMessages;
import io.portask.protocol.CounterFactory;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.RecordBatchWriter;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.CommitOffsetRequestEncoder;
import io.portask.protocol.sbe.CreateTopicRequestEncoder;
import io.portask.protocol.sbe.DeleteTopicRequestEncoder;
import io.portask.protocol.sbe.ErrorResponseDecoder;
import io.portask.protocol.sbe.FetchCommittedOffsetRequestEncoder;
import io.portask.protocol.sbe.FetchCommittedOffsetResponseDecoder;
import io.portask.protocol.sbe.FetchRequestEncoder;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import io.portask.protocol.sbe.MessageHeaderEncoder;
import io.portask.protocol.sbe.ProduceRequestEncoder;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.TestCounters;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntBiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core agent driven directly through its ring buffers, on a {@link FakeBrokerStore}, with a clock the test
 * moves: the base of each handler's test. Every test starts with connection {@value #CONNECTION} open and topic
 * "t" (two journal partitions) created.
 */
abstract class CoreAgentHarness
{
    static final long CONNECTION = 11;

    final OneToOneRingBuffer inbound = ring();
    final OneToOneRingBuffer outbound = ring();
    final CachedNanoClock clock = new CachedNanoClock();
    final CachedEpochClock epochClock = new CachedEpochClock();
    final CountersManager counters = new CountersManager(
        new UnsafeBuffer(ByteBuffer.allocateDirect(1024 * 1024)),
        new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)));
    final UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
    final UnsafeBuffer batch = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    final List<Throwable> errors = new ArrayList<>();
    final FakeBrokerStore store = new FakeBrokerStore();
    CoreAgent agent;
    AdminHandler adminHandler = AdminHandler.NONE;
    ReplicationLink replication;

    static OneToOneRingBuffer ring()
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
            .correlationId(1).partitions(2).storage(StorageKind.JOURNAL).retentionMs(-1).retentionBytes(-1)
            .topic("t").encodedLength());
        assertEquals(1, responses().size());
    }

    void open()
    {
        agent = new CoreAgent(new CoreContext()
            .inboundRing(inbound)
            .outboundRing(outbound)
            .store(store)
            .counterFactory(CounterFactory.of(counters))
            .errorHandler(errors::add)
            .adminHandler(action -> adminHandler.onAdmin(action))
            .nanoClock(clock)
            .epochClock(epochClock)
            .replication(replication));
    }

    @AfterEach
    void close()
    {
        agent.onClose();
        assertTrue(errors.isEmpty(), errors.toString());
    }

    /**
     * Close the agent and open a new one on the same store, as a broker restart does.
     */
    void restart()
    {
        agent.onClose();
        open();
    }

    void notice(final int type, final long connectionId)
    {
        RingMessages.writeNotice(inbound, scratch, type, connectionId, "127.0.0.1:40000");
    }

    void send(final long connectionId, final ToIntBiFunction<MutableDirectBuffer, MessageHeaderEncoder> body)
    {
        scratch.putLong(0, connectionId);
        final int length = body.applyAsInt(scratch, new MessageHeaderEncoder()) + MessageHeaderEncoder.ENCODED_LENGTH;
        assertTrue(inbound.write(RingMessages.REQUEST, scratch, 0, RingMessages.MESSAGE_OFFSET + length));
    }

    List<UnsafeBuffer> responses()
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

    int batchOf(final int records)
    {
        final RecordBatchWriter writer = new RecordBatchWriter().reset(batch, 0, batch.capacity());
        for (int i = 0; i < records; i++)
        {
            writer.append(1_000 + i, null, new byte[]{ (byte)i });
        }
        return writer.seal();
    }

    void produce(final long correlationId, final int partition, final AckLevel ack, final int records)
    {
        final int length = batchOf(records);
        send(CONNECTION, (buffer, header) -> new ProduceRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(correlationId).partition(partition).ackLevel(ack).topic("t")
            .putBatch(batch, 0, length).encodedLength());
    }

    void fetch(final long correlationId, final long offset, final int maxWaitMs)
    {
        send(CONNECTION, (buffer, header) -> new FetchRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(correlationId).partition(0).fetchOffset(offset).maxBytes(1 << 20).maxWaitMs(maxWaitMs)
            .topic("t").encodedLength());
    }

    static MessageHeaderDecoder header(final UnsafeBuffer message)
    {
        return new MessageHeaderDecoder().wrap(message, 0);
    }

    static ErrorCode errorOf(final UnsafeBuffer message)
    {
        assertEquals(ErrorResponseDecoder.TEMPLATE_ID, header(message).templateId());
        return ErrorCode.get(new ErrorResponseDecoder().wrapAndApplyHeader(message, 0, header(message)).errorCode());
    }

    long counter(final String label)
    {
        return TestCounters.value(counters, label);
    }

    void commit(final long correlationId, final String group, final long offset)
    {
        commit(correlationId, group, "t", offset);
    }

    void commit(final long correlationId, final String group, final String topic, final long offset)
    {
        send(CONNECTION, (buffer, header) -> new CommitOffsetRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(correlationId).partition(0).committedOffset(offset).memberEpoch(-1).group(group)
            .topic(topic).memberId("").encodedLength());
    }

    long committed(final long correlationId, final String group)
    {
        return committed(correlationId, group, "t");
    }

    long committed(final long correlationId, final String group, final String topic)
    {
        send(CONNECTION, (buffer, header) -> new FetchCommittedOffsetRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(correlationId).partition(0).group(group).topic(topic).encodedLength());
        final UnsafeBuffer answer = responses().get(0);
        return new FetchCommittedOffsetResponseDecoder()
            .wrapAndApplyHeader(answer, 0, header(answer)).committedOffset();
    }

    void createTopic(final long correlationId, final String name, final int partitions)
    {
        createTopic(correlationId, name, partitions, StorageKind.JOURNAL);
    }

    void createTopic(final long correlationId, final String name, final int partitions, final StorageKind storage)
    {
        send(CONNECTION, (buffer, header) -> new CreateTopicRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(correlationId).partitions(partitions).storage(storage).retentionMs(-1)
            .retentionBytes(-1).topic(name).encodedLength());
    }

    void deleteTopic(final long correlationId, final String name)
    {
        send(CONNECTION, (buffer, header) -> new DeleteTopicRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(correlationId).topic(name).encodedLength());
    }
}
