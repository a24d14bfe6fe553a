package io.portask.protocol;

import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.CreateTopicRequestEncoder;
import io.portask.protocol.sbe.CreditRequestEncoder;
import io.portask.protocol.sbe.ErrorResponseDecoder;
import io.portask.protocol.sbe.ErrorResponseEncoder;
import io.portask.protocol.sbe.FetchRequestEncoder;
import io.portask.protocol.sbe.FetchResponseDecoder;
import io.portask.protocol.sbe.FetchResponseEncoder;
import io.portask.protocol.sbe.HealthRequestEncoder;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import io.portask.protocol.sbe.MessageHeaderEncoder;
import io.portask.protocol.sbe.ProduceRequestDecoder;
import io.portask.protocol.sbe.ProduceRequestEncoder;
import io.portask.protocol.sbe.ProduceResponseEncoder;
import io.portask.protocol.sbe.PushRecordsEncoder;
import io.portask.protocol.sbe.StorageKind;
import io.portask.protocol.sbe.SubscribeRequestEncoder;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks the hex test vectors of docs/protocol-vectors both ways: each file decodes to the field values below,
 * and encoding those values gives the file's bytes. Run with -Dportask.vectors.write=true to rewrite the files
 * after a deliberate protocol change.
 */
class ProtocolVectorsTest
{
    private static final Path VECTORS = Path.of(System.getProperty("portask.root", ".."), "docs", "protocol-vectors");
    private static final long TIMESTAMP = 1_700_000_000_000L;

    private static Map<String, ToIntFunction<MutableDirectBuffer>> vectors()
    {
        final Map<String, ToIntFunction<MutableDirectBuffer>> vectors = new LinkedHashMap<>();
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        vectors.put("produce-request", buffer -> new ProduceRequestEncoder()
            .wrapAndApplyHeader(buffer, Frame.HEADER_LENGTH, header)
            .correlationId(1).partition(0).ackLevel(AckLevel.JOURNAL).topic("orders")
            .putBatch(batch(0), 0, batchLength()).encodedLength());
        vectors.put("produce-request-zstd", buffer -> new ProduceRequestEncoder()
            .wrapAndApplyHeader(buffer, Frame.HEADER_LENGTH, header)
            .correlationId(2).partition(0).ackLevel(AckLevel.JOURNAL).topic("orders")
            .putBatch(zstdBatch(), 0, RecordBatch.batchLength(zstdBatch(), 0)).encodedLength());
        vectors.put("produce-response", buffer -> new ProduceResponseEncoder()
            .wrapAndApplyHeader(buffer, Frame.HEADER_LENGTH, header)
            .correlationId(1).partition(0).baseOffset(42).recordCount(2).encodedLength());
        vectors.put("fetch-request", buffer -> new FetchRequestEncoder()
            .wrapAndApplyHeader(buffer, Frame.HEADER_LENGTH, header)
            .correlationId(2).partition(0).fetchOffset(42).maxBytes(65536).maxWaitMs(500).topic("orders")
            .encodedLength());
        vectors.put("fetch-response", buffer -> new FetchResponseEncoder()
            .wrapAndApplyHeader(buffer, Frame.HEADER_LENGTH, header)
            .correlationId(2).partition(0).logStartOffset(0).highWatermark(44)
            .putBatches(batch(42), 0, batchLength()).encodedLength());
        vectors.put("error-response", buffer -> new ErrorResponseEncoder()
            .wrapAndApplyHeader(buffer, Frame.HEADER_LENGTH, header)
            .correlationId(3).requestTemplateId(ProduceRequestEncoder.TEMPLATE_ID)
            .errorCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code()).message("unknown topic 'x'").encodedLength());
        vectors.put("create-topic-request", buffer -> new CreateTopicRequestEncoder()
            .wrapAndApplyHeader(buffer, Frame.HEADER_LENGTH, header)
            .correlationId(4).partitions(3).storage(StorageKind.JOURNAL).retentionMs(86_400_000L).retentionBytes(-1)
            .topic("orders").encodedLength());
        vectors.put("health-request", buffer -> new HealthRequestEncoder()
            .wrapAndApplyHeader(buffer, Frame.HEADER_LENGTH, header).correlationId(5).encodedLength());
        vectors.put("subscribe-request", buffer -> new SubscribeRequestEncoder()
            .wrapAndApplyHeader(buffer, Frame.HEADER_LENGTH, header)
            .correlationId(6).partition(0).startOffset(-1).creditBytes(1 << 20).topic("orders").encodedLength());
        vectors.put("credit-request", buffer -> new CreditRequestEncoder()
            .wrapAndApplyHeader(buffer, Frame.HEADER_LENGTH, header)
            .correlationId(7).subscriptionId(1).creditBytes(4096).encodedLength());
        vectors.put("push-records", buffer -> new PushRecordsEncoder()
            .wrapAndApplyHeader(buffer, Frame.HEADER_LENGTH, header)
            .subscriptionId(1).partition(0).highWatermark(44).putBatches(batch(42), 0, batchLength())
            .encodedLength());
        return vectors;
    }

    private static UnsafeBuffer batch(final long baseOffset)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final RecordBatchWriter writer = new RecordBatchWriter().reset(buffer, 0, 256);
        writer.append(TIMESTAMP, bytes("k1"), bytes("hello"));
        writer.append(TIMESTAMP + 3, null, bytes("world"),
            new byte[][]{ bytes("trace") }, new byte[][]{ bytes("abc") });
        writer.seal();
        RecordBatch.baseOffset(buffer, 0, baseOffset);
        return buffer;
    }

    /**
     * @return the records of {@link #batch(long)} compressed with zstd level 3 (BatchCompression.DEFAULT_LEVEL).
     */
    private static UnsafeBuffer zstdBatch()
    {
        final UnsafeBuffer compressed = new UnsafeBuffer(new byte[512]);
        try (BatchCompression codec = new BatchCompression(BatchCompression.DEFAULT_LEVEL))
        {
            codec.compress(batch(0), 0, batchLength(), compressed, 0);
        }
        return compressed;
    }

    private static int batchLength()
    {
        return RecordBatch.batchLength(batch(0), 0);
    }

    private static byte[] frame(final ToIntFunction<MutableDirectBuffer> encoder)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final int length = Frame.wrap(buffer, 0, encoder.applyAsInt(buffer) + MessageHeaderEncoder.ENCODED_LENGTH);
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    @Test
    void shouldMatchEveryVectorFileByteForByte() throws IOException
    {
        final boolean write = Boolean.getBoolean("portask.vectors.write");
        for (final Map.Entry<String, ToIntFunction<MutableDirectBuffer>> vector : vectors().entrySet())
        {
            final Path file = VECTORS.resolve(vector.getKey() + ".hex");
            final byte[] expected = frame(vector.getValue());
            if (write)
            {
                Files.writeString(file, toHexFile(vector.getKey(), expected));
            }
            final byte[] actual = readHexFile(file);
            assertArrayEquals(expected, actual, file.toString());
            final UnsafeBuffer frame = new UnsafeBuffer(actual);
            assertEquals(actual.length - 4, frame.getInt(0, Frame.BYTE_ORDER), file + ": length field");
            assertTrue(Frame.isCrcValid(frame, 0, actual.length - Frame.HEADER_LENGTH), file + ": CRC");
        }
    }

    @Test
    void shouldDecodeProduceRequestVectorIntoItsRecords() throws IOException
    {
        final UnsafeBuffer message = message("produce-request");
        final ProduceRequestDecoder decoder =
            new ProduceRequestDecoder().wrapAndApplyHeader(message, 0, new MessageHeaderDecoder().wrap(message, 0));
        assertEquals(1, decoder.correlationId());
        assertEquals(AckLevel.JOURNAL, decoder.ackLevel());
        assertEquals("orders", decoder.topic());
        final UnsafeBuffer batch = new UnsafeBuffer(0, 0);
        decoder.wrapBatch(batch);
        assertEquals(ErrorCode.NONE, new RecordBatch().wrap(batch, 0, batch.capacity()).validate());
        final RecordReader reader = new RecordReader().wrap(batch, 0, batch.capacity());
        assertTrue(reader.next());
        assertEquals("k1", new String(reader.key(), StandardCharsets.UTF_8));
        assertEquals(TIMESTAMP, reader.timestampMs());
        assertTrue(reader.next());
        assertEquals("world", new String(reader.value(), StandardCharsets.UTF_8));
        assertEquals(TIMESTAMP + 3, reader.timestampMs());
        assertEquals(1, reader.headerCount());
    }

    @Test
    void shouldDecodeTheZstdProduceVectorIntoTheSameRecords() throws IOException
    {
        final UnsafeBuffer message = message("produce-request-zstd");
        final ProduceRequestDecoder decoder =
            new ProduceRequestDecoder().wrapAndApplyHeader(message, 0, new MessageHeaderDecoder().wrap(message, 0));
        assertEquals("orders", decoder.topic());
        final UnsafeBuffer batch = new UnsafeBuffer(0, 0);
        decoder.wrapBatch(batch);
        final RecordBatch outer = new RecordBatch().wrap(batch, 0, batch.capacity());
        assertEquals(ErrorCode.NONE, outer.validate(Frame.DEFAULT_MAX_FRAME_LENGTH));
        assertEquals(RecordBatch.COMPRESSION_ZSTD, outer.compression());
        try (BatchCompression codec = new BatchCompression(BatchCompression.DEFAULT_LEVEL))
        {
            final RecordReader compressed = new RecordReader(codec, 4096).wrap(batch, 0, batch.capacity());
            final RecordReader plain = new RecordReader().wrap(batch(0), 0, batchLength());
            while (plain.next())
            {
                assertTrue(compressed.next());
                assertEquals(plain.offset(), compressed.offset());
                assertEquals(plain.timestampMs(), compressed.timestampMs());
                assertArrayEquals(plain.key(), compressed.key());
                assertArrayEquals(plain.value(), compressed.value());
                assertEquals(plain.headerCount(), compressed.headerCount());
            }
            assertFalse(compressed.next());
        }
    }

    @Test
    void shouldDecodeFetchResponseAndErrorVectors() throws IOException
    {
        final UnsafeBuffer fetch = message("fetch-response");
        final FetchResponseDecoder decoder =
            new FetchResponseDecoder().wrapAndApplyHeader(fetch, 0, new MessageHeaderDecoder().wrap(fetch, 0));
        assertEquals(44, decoder.highWatermark());
        final UnsafeBuffer batches = new UnsafeBuffer(0, 0);
        decoder.wrapBatches(batches);
        final RecordReader reader = new RecordReader().wrap(batches, 0, batches.capacity());
        final List<Long> offsets = new ArrayList<>();
        while (reader.next())
        {
            offsets.add(reader.offset());
        }
        assertEquals(List.of(42L, 43L), offsets);

        final UnsafeBuffer error = message("error-response");
        final ErrorResponseDecoder errorDecoder =
            new ErrorResponseDecoder().wrapAndApplyHeader(error, 0, new MessageHeaderDecoder().wrap(error, 0));
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.get(errorDecoder.errorCode()));
        assertEquals("unknown topic 'x'", errorDecoder.message());
    }

    private static UnsafeBuffer message(final String name) throws IOException
    {
        final byte[] frame = readHexFile(VECTORS.resolve(name + ".hex"));
        return new UnsafeBuffer(frame, Frame.HEADER_LENGTH, frame.length - Frame.HEADER_LENGTH);
    }

    static byte[] readHexFile(final Path file) throws IOException
    {
        final StringBuilder hex = new StringBuilder();
        for (final String line : Files.readAllLines(file))
        {
            final int comment = line.indexOf('#');
            hex.append((comment >= 0 ? line.substring(0, comment) : line).replaceAll("\\s+", ""));
        }
        return HexFormat.of().parseHex(hex);
    }

    private static String toHexFile(final String name, final byte[] frame)
    {
        final StringBuilder text = new StringBuilder("# ").append(name)
            .append(": a whole frame (length, crc32c, SBE header, body), little-endian. See docs/protocol.md.\n");
        final HexFormat hex = HexFormat.ofDelimiter(" ");
        for (int i = 0; i < frame.length; i += 16)
        {
            text.append(hex.formatHex(frame, i, Math.min(frame.length, i + 16))).append('\n');
        }
        return text.toString();
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
