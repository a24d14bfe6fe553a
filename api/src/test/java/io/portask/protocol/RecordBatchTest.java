package io.portask.protocol;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordBatchTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final RecordBatchWriter writer = new RecordBatchWriter();
    private final RecordBatch batch = new RecordBatch();

    private int writeThree()
    {
        writer.reset(buffer, 16, 2048);
        assertTrue(writer.append(1000, bytes("k1"), bytes("v1")));
        assertTrue(writer.append(1005, null, bytes("v2"),
            new byte[][]{ bytes("h") }, new byte[][]{ bytes("hv") }));
        assertTrue(writer.append(1010, bytes("k3"), null));
        return writer.seal();
    }

    @Test
    void shouldRoundTripRecordsThroughWriterAndReader()
    {
        final int length = writeThree();
        assertEquals(ErrorCode.NONE, batch.wrap(buffer, 16, length).validate());
        assertEquals(3, batch.recordCount());
        RecordBatch.baseOffset(buffer, 16, 40);

        final RecordReader reader = new RecordReader().wrap(buffer, 16, length);
        assertTrue(reader.next());
        assertEquals(40, reader.offset());
        assertEquals(1000, reader.timestampMs());
        assertArrayEquals(bytes("k1"), reader.key());
        assertArrayEquals(bytes("v1"), reader.value());
        assertTrue(reader.next());
        assertEquals(41, reader.offset());
        assertEquals(1005, reader.timestampMs());
        assertNull(reader.key());
        assertEquals(1, reader.headerCount());
        assertTrue(reader.next());
        assertEquals(42, reader.offset());
        assertNull(reader.value());
        assertFalse(reader.next());
    }

    @Test
    void shouldKeepCrcValidWhenBrokerAssignsBaseOffset()
    {
        final int length = writeThree();
        RecordBatch.baseOffset(buffer, 16, 123_456_789L);
        assertEquals(ErrorCode.NONE, batch.wrap(buffer, 16, length).validate());
        assertEquals(123_456_792L, batch.nextOffset());
    }

    @Test
    void shouldRejectFlippedByte()
    {
        final int length = writeThree();
        buffer.putByte(16 + length - 3, (byte)(buffer.getByte(16 + length - 3) ^ 1));
        assertEquals(ErrorCode.CORRUPT_MESSAGE, batch.wrap(buffer, 16, length).validate());
    }

    @Test
    void shouldRejectLengthMismatch()
    {
        final int length = writeThree();
        assertEquals(ErrorCode.CORRUPT_MESSAGE, batch.wrap(buffer, 16, length - 1).validate());
        assertEquals(ErrorCode.CORRUPT_MESSAGE, batch.wrap(buffer, 16, 10).validate());
    }

    @Test
    void shouldRejectRecordWhoseKeyOverrunsItEvenWithValidCrc()
    {
        final int length = writeThree();
        final int firstKeyLength = 16 + RecordBatch.HEADER_LENGTH + 8;
        buffer.putInt(firstKeyLength, 1000, Frame.BYTE_ORDER);
        final int crc = Frame.crc32c(buffer, 16 + RecordBatch.CRC_START, length - RecordBatch.CRC_START);
        buffer.putInt(16 + RecordBatch.CRC_OFFSET, crc, Frame.BYTE_ORDER);
        assertEquals(ErrorCode.CORRUPT_MESSAGE, batch.wrap(buffer, 16, length).validate());
    }

    @Test
    void shouldHaveTheReaderRefuseRecordsWhoseFieldsOverrunThem()
    {
        // the broker validates uncompressed batches, but never sees inside a compressed one: the reader must hold
        final int length = writeThree();
        final int firstRecord = 16 + RecordBatch.HEADER_LENGTH;
        buffer.putInt(firstRecord + 8, 1000, Frame.BYTE_ORDER);
        assertCorrupt("key length 1000 does not fit its record", buffer, length);

        writeThree();
        final int firstHeaderCount = firstRecord + 4 + 4 + 4 + 2 + 4 + 2;
        buffer.putInt(firstHeaderCount, 5, Frame.BYTE_ORDER);
        assertCorrupt("header 0 past the end of its record", buffer, length);

        writeThree();
        buffer.putInt(firstRecord, 1 << 30, Frame.BYTE_ORDER);
        assertCorrupt("does not fit its batch", buffer, length);

        // found by a 30-minute fuzz run: a length that overflows the batch's start passed the bounds check
        writeThree();
        buffer.putInt(16 + RecordBatch.BATCH_LENGTH_OFFSET, Integer.MAX_VALUE - 8, Frame.BYTE_ORDER);
        assertCorrupt("truncated batch at 16", buffer, length);
    }

    private static void assertCorrupt(final String what, final UnsafeBuffer buffer, final int length)
    {
        final RecordReader reader = new RecordReader().wrap(buffer, 16, length);
        final BatchCompression.CorruptBatchException refused =
            assertThrows(BatchCompression.CorruptBatchException.class, reader::next);
        assertTrue(refused.getMessage().contains(what), refused.getMessage());
    }

    @Test
    void shouldRefuseRecordThatDoesNotFit()
    {
        writer.reset(buffer, 0, 64);
        assertFalse(writer.append(1, null, new byte[100]));
        assertEquals(0, writer.recordCount());
    }

    @Test
    void shouldWriteFromDirectBuffersLikeFromArrays()
    {
        final UnsafeBuffer other = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        final UnsafeBuffer value = new UnsafeBuffer(bytes("v1"));
        final UnsafeBuffer key = new UnsafeBuffer(bytes("k1"));
        writer.reset(buffer, 0, 1024);
        writer.append(7, bytes("k1"), bytes("v1"));
        final int a = writer.seal();
        writer.reset(other, 0, 1024);
        writer.append(7, key, 0, 2, value, 0, 2);
        final int b = writer.seal();
        assertEquals(a, b);
        for (int i = 0; i < a; i++)
        {
            assertEquals(buffer.getByte(i), other.getByte(i), "byte " + i);
        }
    }

    static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
