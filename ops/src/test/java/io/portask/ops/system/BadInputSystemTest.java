package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.Frame;
import io.portask.protocol.RecordBatchWriter;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.ErrorResponseDecoder;
import io.portask.protocol.sbe.FetchRequestEncoder;
import io.portask.protocol.sbe.HealthRequestEncoder;
import io.portask.protocol.sbe.HealthResponseDecoder;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import io.portask.protocol.sbe.ProduceRequestEncoder;
import io.portask.protocol.sbe.ProduceResponseDecoder;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every bad-input case of the protocol over a raw socket: each gets its error code, the broker keeps serving
 * other connections, and no log is touched by a rejected request.
 */
class BadInputSystemTest
{
    @TempDir
    static Path dir;

    private static BrokerProcess broker;
    private static Admin admin;
    private final UnsafeBuffer batch = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));

    @BeforeAll
    static void startBroker() throws Exception
    {
        broker = new BrokerProcess(dir.resolve("data")).start();
        admin = Admin.connect(broker.bootstrap());
        admin.createTopic("guarded", 1, StorageKind.JOURNAL);
    }

    @AfterAll
    static void stopBroker()
    {
        admin.close();
        broker.close();
    }

    private int batchOf(final String value)
    {
        final RecordBatchWriter writer = new RecordBatchWriter().reset(batch, 0, batch.capacity());
        writer.append(System.currentTimeMillis(), null, value.getBytes(StandardCharsets.UTF_8));
        return writer.seal();
    }

    private static int produce(
        final UnsafeBuffer buffer, final io.portask.protocol.sbe.MessageHeaderEncoder header,
        final String topic, final int partition, final UnsafeBuffer batch, final int length)
    {
        return new ProduceRequestEncoder().wrapAndApplyHeader(buffer, Frame.HEADER_LENGTH, header)
            .correlationId(77).partition(partition).ackLevel(AckLevel.JOURNAL).topic(topic)
            .putBatch(batch, 0, length).encodedLength();
    }

    private static ErrorResponseDecoder error(final UnsafeBuffer message)
    {
        assertEquals(ErrorResponseDecoder.TEMPLATE_ID, RawConnection.templateId(message));
        return new ErrorResponseDecoder().wrapAndApplyHeader(message, 0, new MessageHeaderDecoder().wrap(message, 0));
    }

    private long highWatermark()
    {
        return admin.describeTopic("guarded").partitions().get(0).highWatermark();
    }

    private static void assertStillServing() throws IOException
    {
        try (RawConnection other = new RawConnection(broker.port()))
        {
            other.send((buffer, header) -> new HealthRequestEncoder()
                .wrapAndApplyHeader(buffer, Frame.HEADER_LENGTH, header).correlationId(5).encodedLength());
            final UnsafeBuffer reply = other.receive();
            assertEquals(HealthResponseDecoder.TEMPLATE_ID, RawConnection.templateId(reply));
        }
    }

    @Test
    void shouldAnswerBadCrcWithCorruptMessageAndClose() throws IOException
    {
        final long before = highWatermark();
        final int length = batchOf("bad crc");
        try (RawConnection connection = new RawConnection(broker.port()))
        {
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[64 * 1024]);
            final int messageLength = produce(frame, new io.portask.protocol.sbe.MessageHeaderEncoder(), "guarded", 0,
                batch, length) + MessageHeaderDecoder.ENCODED_LENGTH;
            final int frameLength = Frame.wrap(frame, 0, messageLength);
            frame.putByte(frameLength - 1, (byte)(frame.getByte(frameLength - 1) ^ 0x55));
            final byte[] bytes = new byte[frameLength];
            frame.getBytes(0, bytes);
            connection.sendRaw(bytes);
            final ErrorResponseDecoder error = error(connection.receive());
            assertEquals(ErrorCode.CORRUPT_MESSAGE.code(), error.errorCode());
            assertEquals(77, error.correlationId());
            assertTrue(connection.isClosedByBroker());
        }
        assertEquals(before, highWatermark());
        assertStillServing();
    }

    @Test
    void shouldRefuseOversizeFrameBeforeBufferingIt() throws IOException
    {
        try (RawConnection connection = new RawConnection(broker.port()))
        {
            final UnsafeBuffer lengthOnly = new UnsafeBuffer(new byte[4]);
            lengthOnly.putInt(0, Frame.DEFAULT_MAX_FRAME_LENGTH + 1, Frame.BYTE_ORDER);
            connection.sendRaw(lengthOnly.byteArray());
            final ErrorResponseDecoder error = error(connection.receive());
            assertEquals(ErrorCode.MESSAGE_TOO_LARGE.code(), error.errorCode());
            assertTrue(connection.isClosedByBroker());
        }
        assertStillServing();
    }

    @Test
    void shouldAnswerTooShortFrameWithCorruptMessage() throws IOException
    {
        try (RawConnection connection = new RawConnection(broker.port()))
        {
            connection.sendRaw(new byte[]{ 6, 0, 0, 0, 0, 0, 0, 0, 1, 2 });
            assertEquals(ErrorCode.CORRUPT_MESSAGE.code(), error(connection.receive()).errorCode());
            assertTrue(connection.isClosedByBroker());
        }
    }

    @Test
    void shouldAnswerUnknownTypeAndKeepConnection() throws IOException
    {
        try (RawConnection connection = new RawConnection(broker.port()))
        {
            connection.send((buffer, header) ->
            {
                header.wrap(buffer, Frame.HEADER_LENGTH).blockLength(8).templateId(999)
                    .schemaId(MessageHeaderDecoder.SCHEMA_ID).version(1);
                buffer.putLong(Frame.HEADER_LENGTH + 8, 31, Frame.BYTE_ORDER);
                return 8;
            });
            final ErrorResponseDecoder error = error(connection.receive());
            assertEquals(ErrorCode.UNKNOWN_REQUEST.code(), error.errorCode());
            assertEquals(31, error.correlationId());
            assertEquals(999, error.requestTemplateId());
            connection.send((buffer, header) -> new HealthRequestEncoder()
                .wrapAndApplyHeader(buffer, Frame.HEADER_LENGTH, header).correlationId(32).encodedLength());
            assertEquals(HealthResponseDecoder.TEMPLATE_ID, RawConnection.templateId(connection.receive()));
        }
    }

    @Test
    void shouldAnswerUnknownTopicAndOffsetOutOfRange() throws IOException
    {
        final int length = batchOf("nowhere");
        try (RawConnection connection = new RawConnection(broker.port()))
        {
            connection.send((buffer, header) -> produce(buffer, header, "no-such-topic", 0, batch, length));
            assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code(), error(connection.receive()).errorCode());
            connection.send((buffer, header) -> produce(buffer, header, "guarded", 5, batch, length));
            assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code(), error(connection.receive()).errorCode());
            final long end = highWatermark();
            connection.send((buffer, header) -> new FetchRequestEncoder()
                .wrapAndApplyHeader(buffer, Frame.HEADER_LENGTH, header).correlationId(9).partition(0)
                .fetchOffset(end + 1).maxBytes(1024).maxWaitMs(0).topic("guarded").encodedLength());
            final ErrorResponseDecoder error = error(connection.receive());
            assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE.code(), error.errorCode());
            final String message = error.message();
            assertTrue(message.contains("outside [0, " + end + "]"), message);
        }
    }

    @Test
    void shouldRejectCorruptBatchInsideValidFrameWithoutTouchingLog() throws IOException
    {
        final long before = highWatermark();
        final int length = batchOf("tampered");
        batch.putByte(length - 1, (byte)(batch.getByte(length - 1) ^ 1));
        try (RawConnection connection = new RawConnection(broker.port()))
        {
            connection.send((buffer, header) -> produce(buffer, header, "guarded", 0, batch, length));
            assertEquals(ErrorCode.CORRUPT_MESSAGE.code(), error(connection.receive()).errorCode());
            assertFalse(connection.isClosedByBroker());
        }
        assertEquals(before, highWatermark());
    }

    @Test
    void shouldAnswerFieldsThatOverrunTheRequestWithInvalidRequest() throws IOException
    {
        final long before = highWatermark();
        final int length = batchOf("short");
        try (RawConnection connection = new RawConnection(broker.port()))
        {
            connection.send((buffer, header) ->
            {
                final int encoded = produce(buffer, header, "guarded", 0, batch, length);
                final int batchLengthField = Frame.HEADER_LENGTH + MessageHeaderDecoder.ENCODED_LENGTH +
                    ProduceRequestEncoder.BLOCK_LENGTH + 2 + "guarded".length();
                buffer.putInt(batchLengthField, 1_000_000, Frame.BYTE_ORDER);
                return encoded;
            });
            assertEquals(ErrorCode.INVALID_REQUEST.code(), error(connection.receive()).errorCode());
        }
        assertEquals(before, highWatermark());
    }

    @Test
    void shouldPipelineManyRequestsAndAnswerInOrder() throws IOException
    {
        final int length = batchOf("pipelined");
        final long before = highWatermark();
        try (RawConnection connection = new RawConnection(broker.port()))
        {
            final int requests = 200;
            for (int i = 0; i < requests; i++)
            {
                final long correlationId = 1000 + i;
                connection.send((buffer, header) -> new ProduceRequestEncoder()
                    .wrapAndApplyHeader(buffer, Frame.HEADER_LENGTH, header).correlationId(correlationId)
                    .partition(0).ackLevel(AckLevel.JOURNAL).topic("guarded").putBatch(batch, 0, length)
                    .encodedLength());
            }
            for (int i = 0; i < requests; i++)
            {
                final UnsafeBuffer reply = connection.receive();
                final ProduceResponseDecoder response = new ProduceResponseDecoder()
                    .wrapAndApplyHeader(reply, 0, new MessageHeaderDecoder().wrap(reply, 0));
                assertEquals(1000 + i, response.correlationId());
                assertEquals(before + i, response.baseOffset());
            }
        }
    }
}
