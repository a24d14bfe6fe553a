package io.portask.protocol;

import io.portask.protocol.buffer.SafeBuffer;
import org.agrona.DirectBuffer;

import static io.portask.protocol.Frame.BYTE_ORDER;

/**
 * Walks the records of a run of batches, as a fetch or a push returns them. A cursor: call {@link #next()} until it
 * returns false, reading the current record's fields in between. A compressed batch is decompressed into the
 * reader's own buffer (bounded, see {@link BatchCompression}) when the reader was given a codec, and refused
 * otherwise. Not thread safe; allocates nothing for uncompressed batches unless the caller copies bytes out.
 */
public final class RecordReader
{
    /** Length, timestamp delta, key length, value length and header count: the least a record holds. */
    private static final int RECORD_MIN_LENGTH = 20;

    private final BatchCompression codec;
    private final int maxUncompressedLength;
    private final SafeBuffer decompressed = new SafeBuffer();
    private byte[] decompressedBytes = new byte[0];
    private DirectBuffer source;
    private DirectBuffer buffer;
    private int limit;
    private int batchStart;
    private int sourcePosition;
    private int batchEnd;
    private long batchBaseOffset;
    private long batchFirstTimestamp;
    private int recordIndex;
    private int recordPosition;
    private int nextRecordPosition;

    private long offset;
    private long timestampMs;
    private int keyOffset;
    private int keyLength;
    private int valueOffset;
    private int valueLength;
    private int headerCount;
    private int headersOffset;

    /**
     * A reader of uncompressed batches only: a compressed one fails with {@link
     * BatchCompression.CorruptBatchException}.
     */
    public RecordReader()
    {
        this(null, 0);
    }

    /**
     * @param codec                 decompresses compressed batches; owned by the caller (who closes it).
     * @param maxUncompressedLength the most bytes a compressed batch's records may decompress to.
     */
    public RecordReader(final BatchCompression codec, final int maxUncompressedLength)
    {
        this.codec = codec;
        this.maxUncompressedLength = maxUncompressedLength;
    }

    /**
     * Start reading a region of concatenated batches.
     *
     * @param buffer holding the batches.
     * @param offset where the first batch starts.
     * @param length total bytes of the batches.
     * @return this for a fluent API.
     */
    public RecordReader wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.source = buffer;
        this.buffer = buffer;
        this.limit = offset + length;
        this.batchStart = offset;
        this.sourcePosition = offset;
        this.batchEnd = offset;
        this.nextRecordPosition = offset;
        this.recordIndex = 0;
        return this;
    }

    /**
     * Move to the next record.
     *
     * @return true when positioned on a record, false at the end.
     * @throws BatchCompression.CorruptBatchException when a batch is truncated, a record's fields do not fit it, or a
     *                               compressed batch cannot be trusted or this reader has no codec.
     */
    public boolean next()
    {
        while (nextRecordPosition >= batchEnd)
        {
            if (!nextBatch())
            {
                return false;
            }
        }
        recordPosition = nextRecordPosition;
        if ((long)recordPosition + RECORD_MIN_LENGTH > batchEnd)
        {
            throw corrupt("a record header past the end of its batch");
        }
        final int recordLength = buffer.getInt(recordPosition, BYTE_ORDER);
        final long recordEnd = (long)recordPosition + 4 + recordLength;
        if (recordLength < RECORD_MIN_LENGTH - 4 || recordEnd > batchEnd)
        {
            throw corrupt("record length " + recordLength + " does not fit its batch");
        }
        nextRecordPosition = (int)recordEnd;
        offset = batchBaseOffset + recordIndex++;
        timestampMs = batchFirstTimestamp + buffer.getInt(recordPosition + 4, BYTE_ORDER);
        keyLength = buffer.getInt(recordPosition + 8, BYTE_ORDER);
        keyOffset = recordPosition + 12;
        valueOffset = field(keyOffset, keyLength, 4, recordEnd, "key") + 4;
        valueLength = buffer.getInt(valueOffset - 4, BYTE_ORDER);
        headersOffset = field(valueOffset, valueLength, 4, recordEnd, "value") + 4;
        headerCount = buffer.getInt(headersOffset - 4, BYTE_ORDER);
        if (headerCount < 0)
        {
            throw corrupt("header count " + headerCount);
        }
        long position = headersOffset;
        for (int i = 0; i < headerCount; i++)
        {
            if (position + 4 > recordEnd)
            {
                throw corrupt("header " + i + " past the end of its record");
            }
            final int headerKeyLength = buffer.getInt((int)position, BYTE_ORDER);
            if (headerKeyLength < 0)
            {
                throw corrupt("header key length " + headerKeyLength);
            }
            final int valueAt = field((int)position + 4, headerKeyLength, 4, recordEnd, "header key");
            position = field(valueAt + 4, buffer.getInt(valueAt, BYTE_ORDER), 0, recordEnd, "header value");
        }
        return true;
    }

    /**
     * Check a length-prefixed field ({@code length} bytes at {@code at}, -1 for none) and the {@code trailing}
     * bytes that must follow it (the next length prefix) lie inside the record.
     *
     * @return where the field ends.
     */
    private int field(final int at, final int length, final int trailing, final long recordEnd, final String name)
    {
        final long end = (long)at + Math.max(0, length);
        if (length < -1 || end + trailing > recordEnd)
        {
            throw corrupt(name + " length " + length + " does not fit its record");
        }
        return (int)end;
    }

    private BatchCompression.CorruptBatchException corrupt(final String what)
    {
        return new BatchCompression.CorruptBatchException("batch at offset " + batchBaseOffset + ", record " +
            recordIndex + ": " + what);
    }

    private boolean nextBatch()
    {
        batchStart = sourcePosition;
        if (batchStart + RecordBatch.HEADER_LENGTH > limit)
        {
            return false;
        }
        final int length = RecordBatch.batchLength(source, batchStart);
        if (length < RecordBatch.HEADER_LENGTH || length > limit - batchStart)
        {
            throw new BatchCompression.CorruptBatchException("truncated batch at " + batchStart + " length=" +
                length);
        }
        sourcePosition = batchStart + length;
        batchBaseOffset = RecordBatch.baseOffset(source, batchStart);
        final int recordsOffset = RecordBatch.recordsOffset(source, batchStart);
        batchFirstTimestamp = source.getLong(batchStart + RecordBatch.FIRST_TIMESTAMP_OFFSET, BYTE_ORDER);
        recordIndex = 0;
        final int attributes = source.getShort(batchStart + RecordBatch.ATTRIBUTES_OFFSET, BYTE_ORDER);
        final boolean compressed = (attributes & RecordBatch.COMPRESSION_MASK) != RecordBatch.COMPRESSION_NONE;
        if (recordsOffset + (compressed ? 4 : 0) > length)
        {
            throw corrupt("a batch of " + length + " bytes shorter than its own header");
        }
        if (compressed)
        {
            buffer = decompressed;
            batchEnd = decompress(length);
            nextRecordPosition = 0;
        }
        else
        {
            buffer = source;
            batchEnd = batchStart + length;
            nextRecordPosition = batchStart + recordsOffset;
        }
        return true;
    }

    private int decompress(final int length)
    {
        if (null == codec)
        {
            throw new BatchCompression.CorruptBatchException("compressed batch at offset " + batchBaseOffset +
                ": this reader cannot decompress");
        }
        if ((source.getShort(batchStart + RecordBatch.ATTRIBUTES_OFFSET, BYTE_ORDER) &
            RecordBatch.COMPRESSION_MASK) != RecordBatch.COMPRESSION_ZSTD)
        {
            throw new BatchCompression.CorruptBatchException("batch at offset " + batchBaseOffset +
                " has an unknown compression codec");
        }
        final int claimed = BatchCompression.uncompressedLength(source, batchStart);
        if (claimed < 0 || claimed > maxUncompressedLength)
        {
            throw new BatchCompression.CorruptBatchException("compressed batch at offset " + batchBaseOffset +
                " claims " + claimed + " bytes, more than " + maxUncompressedLength);
        }
        if (decompressedBytes.length < claimed)
        {
            decompressedBytes = new byte[Math.max(claimed, Math.min(2 * decompressedBytes.length,
                maxUncompressedLength))];
        }
        decompressed.wrap(decompressedBytes);
        return codec.decompress(source, batchStart, length, decompressed, 0, maxUncompressedLength);
    }

    /**
     * @return offset of the current record.
     */
    public long offset()
    {
        return offset;
    }

    /**
     * @return epoch ms of the current record.
     */
    public long timestampMs()
    {
        return timestampMs;
    }

    /**
     * @return the buffer the record lives in.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return offset of the key in {@link #buffer()}.
     */
    public int keyOffset()
    {
        return keyOffset;
    }

    /**
     * @return key length, -1 when the record has no key.
     */
    public int keyLength()
    {
        return keyLength;
    }

    /**
     * @return offset of the value in {@link #buffer()}.
     */
    public int valueOffset()
    {
        return valueOffset;
    }

    /**
     * @return value length, -1 when the record has no value.
     */
    public int valueLength()
    {
        return valueLength;
    }

    /**
     * @return number of headers of the current record.
     */
    public int headerCount()
    {
        return headerCount;
    }

    /**
     * @return offset of the first header in {@link #buffer()}.
     */
    public int headersOffset()
    {
        return headersOffset;
    }

    /**
     * Receives a record's headers, in order, as ranges of {@link #buffer()}.
     */
    @FunctionalInterface
    public interface HeaderVisitor
    {
        /**
         * @param buffer      holding the header.
         * @param keyOffset   where its UTF-8 key starts.
         * @param keyLength   key bytes.
         * @param valueOffset where its value starts.
         * @param valueLength value bytes, -1 for none.
         */
        void onHeader(DirectBuffer buffer, int keyOffset, int keyLength, int valueOffset, int valueLength);
    }

    /**
     * Visit the current record's headers.
     *
     * @param visitor receives each header.
     */
    public void forEachHeader(final HeaderVisitor visitor)
    {
        int position = headersOffset;
        for (int i = 0; i < headerCount; i++)
        {
            final int keyLength = buffer.getInt(position, BYTE_ORDER);
            final int valueAt = position + 4 + keyLength;
            final int valueLength = buffer.getInt(valueAt, BYTE_ORDER);
            visitor.onHeader(buffer, position + 4, keyLength, valueAt + 4, valueLength);
            position = valueAt + 4 + Math.max(0, valueLength);
        }
    }

    /**
     * Copy the key out.
     *
     * @return the key bytes, or null when there is none.
     */
    public byte[] key()
    {
        return copy(keyOffset, keyLength);
    }

    /**
     * Copy the value out.
     *
     * @return the value bytes, or null when there is none.
     */
    public byte[] value()
    {
        return copy(valueOffset, valueLength);
    }

    private byte[] copy(final int at, final int length)
    {
        if (length < 0)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(at, bytes);
        return bytes;
    }
}
