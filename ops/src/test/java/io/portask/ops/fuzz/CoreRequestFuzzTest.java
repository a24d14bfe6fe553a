package io.portask.ops.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.portask.core.CoreAgent;
import io.portask.core.CoreContext;
import io.portask.core.ring.RingMessages;
import io.portask.protocol.CounterFactory;
import io.portask.protocol.link.Requests;
import io.portask.protocol.sbe.MessageHeaderEncoder;
import io.portask.protocol.sbe.StorageKind;
import io.portask.storage.DiskBrokerStore;
import io.portask.storage.DragonflyHandoff;
import io.portask.storage.StorageContext;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.CountersManager;

import java.nio.ByteBuffer;
import java.nio.file.Files;

/**
 * Fuzzes every request decoder of the core at once: any bytes, as a request from a TCP connection, reach the core
 * agent's duty cycle (template id, schema, fields, groups, variable data, record batches); the core must answer
 * (an error is an answer) and never let an exception out of its duty cycle, which would stop the broker. One core
 * on a real journal store serves every input; a topic "t" exists, so inputs that name it reach the handlers.
 */
class CoreRequestFuzzTest
{
    private static final OneToOneRingBuffer INBOUND = ring();
    private static final OneToOneRingBuffer OUTBOUND = ring();
    private static final CoreAgent CORE = core();
    private static final UnsafeBuffer MESSAGE = new UnsafeBuffer(new byte[RingMessages.MESSAGE_OFFSET + 70_000]);

    /**
     * A well-formed SBE header (any template id and block length, this schema, version 1 or 2) over any body:
     * what gets past the frame checks and the schema check reaches the decoders.
     */
    @FuzzTest(maxDuration = "60s")
    void anyRequest(final FuzzedDataProvider data)
    {
        final int blockLength = data.consumeInt(0, 64);
        final int templateId = data.consumeInt(0, 50);
        final int version = data.consumeInt(1, 2);
        final byte[] body = data.consumeRemainingAsBytes();
        if (body.length > 65_536)
        {
            return;
        }
        MESSAGE.putLong(RingMessages.CONNECTION_ID_OFFSET, 1);
        new MessageHeaderEncoder().wrap(MESSAGE, RingMessages.MESSAGE_OFFSET).blockLength(blockLength)
            .templateId(templateId).schemaId(MessageHeaderEncoder.SCHEMA_ID).version(version);
        MESSAGE.putBytes(RingMessages.MESSAGE_OFFSET + MessageHeaderEncoder.ENCODED_LENGTH, body);
        INBOUND.write(RingMessages.REQUEST, MESSAGE, 0,
            RingMessages.MESSAGE_OFFSET + MessageHeaderEncoder.ENCODED_LENGTH + body.length);
        CORE.doWork();
        OUTBOUND.read((type, buffer, index, length) ->
        {
        }, Integer.MAX_VALUE);
    }

    private static OneToOneRingBuffer ring()
    {
        return new OneToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect((16 << 20) + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    private static CoreAgent core()
    {
        try
        {
            final CountersManager counters = new CountersManager(new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 20)),
                new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 16)));
            final DiskBrokerStore store = new DiskBrokerStore(new StorageContext()
                .dataDir(Files.createTempDirectory("portask-fuzz").toFile())
                .dragonflyHandoff(new DragonflyHandoff(1 << 20)).counterFactory(CounterFactory.of(counters)));
            final CoreAgent core = new CoreAgent(new CoreContext().inboundRing(INBOUND).outboundRing(OUTBOUND)
                .store(store).counterFactory(CounterFactory.of(counters)).errorHandler(error ->
                {
                    // storage errors are answered and logged; the fuzzer sees what escapes doWork
                }));
            final UnsafeBuffer create = new UnsafeBuffer(new byte[512]);
            create.putLong(RingMessages.CONNECTION_ID_OFFSET, 1);
            final int length = Requests.createTopic("t", 2, StorageKind.JOURNAL, -1, -1)
                .encode(create, RingMessages.MESSAGE_OFFSET, 1);
            INBOUND.write(RingMessages.REQUEST, create, 0, RingMessages.MESSAGE_OFFSET + length);
            core.doWork();
            return core;
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
