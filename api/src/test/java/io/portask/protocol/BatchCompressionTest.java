package io.portask.protocol;

import io.portask.protocol.buffer.SafeBuffer;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * zstd batches end to end on real zstd: what a producer compresses a reader gets back record for record, from heap
 * and direct memory; the broker's validation passes a sound compressed batch without decompressing and refuses an
 * impossible claim; a reader refuses bombs, garbage and frames whose records do not fill what they claim.
 */
class BatchCompressionTest
{
    private static final int MAX = 1024 * 1024;
    private final BatchCompression codec = new BatchCompression(BatchCompression.DEFAULT_LEVEL);

    @AfterEach
    void close()
    {
        codec.close();
    }

    @Test
    void shouldRoundTripJsonLikeRecordsThroughEveryKindOfMemory()
    {
        final UnsafeBuffer plain = new UnsafeBuffer(new byte[64 * 1024]);
        final int length = jsonBatch(plain, 100);
        final List<String> expected = values(new RecordReader().wrap(plain, 0, length));
        for (final DirectBuffer target : List.of(new SafeBuffer(new byte[MAX]), new UnsafeBuffer(new byte[MAX]),
            new UnsafeBuffer(ByteBuffer.allocateDirect(MAX)), new SafeBuffer(ByteBuffer.allocateDirect(MAX))))
        {
            final UnsafeBuffer compressed = new UnsafeBuffer(target);
            final int compressedLength = codec.compress(plain, 0, length, compressed, 16);
            assertTrue(compressedLength * 4 < length, "100 JSON-like records compress 4x: " + compressedLength);
            final RecordBatch outer = new RecordBatch().wrap(compressed, 16, compressedLength);
            assertEquals(ErrorCode.NONE, outer.validate(MAX));
            assertEquals(RecordBatch.COMPRESSION_ZSTD, outer.compression());
            assertEquals(100, outer.recordCount());
            final RecordReader reader = new RecordReader(codec, MAX).wrap(compressed, 16, compressedLength);
            assertEquals(expected, values(reader));
        }
    }

    @Test
    void shouldKeepAnIdempotentProducersFieldsThroughCompression()
    {
        final UnsafeBuffer plain = new UnsafeBuffer(new byte[64 * 1024]);
        final RecordBatchWriter writer = new RecordBatchWriter().reset(plain, 0, plain.capacity(), true);
        for (int i = 0; i < 50; i++)
        {
            writer.append(1_700_000_000_000L + i, "k".getBytes(StandardCharsets.UTF_8), ("{\"order\":" + i + "}")
                .getBytes(StandardCharsets.UTF_8));
        }
        final int length = writer.seal(77L, (short)3, 1_000);
        final List<String> expected = values(new RecordReader().wrap(plain, 0, length));
        final UnsafeBuffer compressed = new UnsafeBuffer(new byte[MAX]);
        final int compressedLength = codec.compress(plain, 0, length, compressed, 0);
        for (final RecordBatch batch : List.of(new RecordBatch().wrap(plain, 0, length),
            new RecordBatch().wrap(compressed, 0, compressedLength)))
        {
            assertEquals(ErrorCode.NONE, batch.validate(MAX));
            assertTrue(batch.hasProducer());
            assertEquals(77L, batch.producerId());
            assertEquals(3, batch.producerEpoch());
            assertEquals(1_000, batch.baseSequence());
            assertEquals(RecordBatch.PRODUCER_HEADER_LENGTH, batch.recordsOffset());
        }
        assertEquals(expected, values(new RecordReader(codec, MAX).wrap(compressed, 0, compressedLength)));
        assertThrows(IllegalStateException.class, () -> new RecordBatchWriter().reset(plain, 0, 1024, true).seal());
    }

    @Test
    void shouldReadRunsMixingCompressedAndPlainBatchesWithOffsets()
    {
        final UnsafeBuffer plain = new UnsafeBuffer(new byte[64 * 1024]);
        final UnsafeBuffer run = new UnsafeBuffer(new byte[128 * 1024]);
        final int first = jsonBatch(plain, 10);
        final int compressed = codec.compress(plain, 0, first, run, 0);
        RecordBatch.baseOffset(run, 0, 100);
        final int second = jsonBatch(plain, 3);
        run.putBytes(compressed, plain, 0, second);
        RecordBatch.baseOffset(run, compressed, 110);
        final RecordReader reader = new RecordReader(codec, MAX).wrap(run, 0, compressed + second);
        final List<Long> offsets = new ArrayList<>();
        while (reader.next())
        {
            offsets.add(reader.offset());
        }
        assertEquals(13, offsets.size());
        assertEquals(100L, offsets.get(0));
        assertEquals(112L, offsets.get(12));
    }

    @Test
    void shouldRefuseBombsGarbageAndShortClaimsWithoutAllocatingThem()
    {
        final UnsafeBuffer plain = new UnsafeBuffer(new byte[64 * 1024]);
        final int length = jsonBatch(plain, 100);
        final UnsafeBuffer batch = new UnsafeBuffer(new byte[MAX]);
        final int compressedLength = codec.compress(plain, 0, length, batch, 0);
        final RecordReader reader = new RecordReader(codec, 1024);

        assertThrows(BatchCompression.CorruptBatchException.class, () -> reader.wrap(batch, 0, compressedLength).next(),
            "records claiming more than the reader's bound");
        assertEquals(ErrorCode.CORRUPT_MESSAGE, new RecordBatch().wrap(batch, 0, compressedLength).validate(1024));

        batch.putInt(BatchCompression.UNCOMPRESSED_LENGTH_OFFSET, Integer.MAX_VALUE, Frame.BYTE_ORDER);
        RecordBatch.seal(batch, 0, compressedLength);
        assertEquals(ErrorCode.CORRUPT_MESSAGE, new RecordBatch().wrap(batch, 0, compressedLength).validate(MAX),
            "a 2 GiB claim");
        assertThrows(BatchCompression.CorruptBatchException.class,
            () -> new RecordReader(codec, MAX).wrap(batch, 0, compressedLength).next());

        batch.putInt(BatchCompression.UNCOMPRESSED_LENGTH_OFFSET, length - RecordBatch.HEADER_LENGTH - 1,
            Frame.BYTE_ORDER);
        RecordBatch.seal(batch, 0, compressedLength);
        assertThrows(BatchCompression.CorruptBatchException.class,
            () -> new RecordReader(codec, MAX).wrap(batch, 0, compressedLength).next(), "one byte short");

        batch.putInt(BatchCompression.UNCOMPRESSED_LENGTH_OFFSET, length - RecordBatch.HEADER_LENGTH,
            Frame.BYTE_ORDER);
        final byte[] garbage = new byte[compressedLength - BatchCompression.DATA_OFFSET];
        new Random(1).nextBytes(garbage);
        batch.putBytes(BatchCompression.DATA_OFFSET, garbage);
        RecordBatch.seal(batch, 0, compressedLength);
        assertEquals(ErrorCode.NONE, new RecordBatch().wrap(batch, 0, compressedLength).validate(MAX),
            "the broker does not decompress, so garbage with a sound CRC and claim passes");
        assertThrows(BatchCompression.CorruptBatchException.class,
            () -> new RecordReader(codec, MAX).wrap(batch, 0, compressedLength).next(), "garbage");

        assertThrows(BatchCompression.CorruptBatchException.class,
            () -> new RecordReader().wrap(batch, 0, compressedLength).next(), "a reader without a codec");
    }

    @Test
    void shouldRefuseFramesWhoseRecordsDoNotFillWhatTheyClaim()
    {
        final byte[] notRecords = new byte[400];
        final UnsafeBuffer fake = new UnsafeBuffer(new byte[RecordBatch.HEADER_LENGTH + notRecords.length]);
        fake.putBytes(RecordBatch.HEADER_LENGTH, notRecords);
        fake.putInt(RecordBatch.RECORD_COUNT_OFFSET, 3, Frame.BYTE_ORDER);
        final UnsafeBuffer batch = new UnsafeBuffer(new byte[4096]);
        final int compressedLength = codec.compress(fake, 0, fake.capacity(), batch, 0);
        assertThrows(BatchCompression.CorruptBatchException.class,
            () -> new RecordReader(codec, MAX).wrap(batch, 0, compressedLength).next());
    }

    /**
     * @return the batch's length; 100-byte-ish JSON records, as the JMH benchmark and perf load use.
     */
    static int jsonBatch(final UnsafeBuffer buffer, final int records)
    {
        final RecordBatchWriter writer = new RecordBatchWriter().reset(buffer, 0, buffer.capacity());
        for (int i = 0; i < records; i++)
        {
            writer.append(1_700_000_000_000L + i, ("order-" + i).getBytes(StandardCharsets.UTF_8),
                ("{\"id\":" + i + ",\"symbol\":\"ACME\",\"side\":\"BUY\",\"qty\":" + (100 + i % 7) +
                ",\"price\":" + (4200 + i % 13) + ".25,\"account\":\"A-7\"}").getBytes(StandardCharsets.UTF_8));
        }
        return writer.seal();
    }

    private static List<String> values(final RecordReader reader)
    {
        final List<String> values = new ArrayList<>();
        while (reader.next())
        {
            values.add(reader.offset() + ":" + new String(reader.key(), StandardCharsets.UTF_8) + "=" +
                new String(reader.value(), StandardCharsets.UTF_8));
        }
        return values;
    }
}
