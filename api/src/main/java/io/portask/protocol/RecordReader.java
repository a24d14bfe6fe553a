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
     * @throws IllegalStateException when a batch is truncated; {@link BatchCompression.CorruptBatchException}
     *                               when a compressed batch cannot be trusted or this reader has no codec.
     */
    public boolean next()
    {
        if (nextRecordPosition >= batchEnd)
        {
            if (!nextBatch())
            {
                return false;
            }
        }
        recordPosition = nextRecordPosition;
        final int recordLength = buffer.getInt(recordPosition, BYTE_ORDER);
        nextRecordPosition = recordPosition + 4 + recordLength;
        offset = batchBaseOffset + recordIndex++;
        timestampMs = batchFirstTimestamp + buffer.getInt(recordPosition + 4, BYTE_ORDER);
        int position = recordPosition + 8;
        keyLength = buffer.getInt(position, BYTE_ORDER);
        keyOffset = position + 4;
        position = keyOffset + Math.max(0, keyLength);
        valueLength = buffer.getInt(position, BYTE_ORDER);
        valueOffset = position + 4;
        position = valueOffset + Math.max(0, valueLength);
        headerCount = buffer.getInt(position, BYTE_ORDER);
        headersOffset = position + 4;
        return true;
    }

    private boolean nextBatch()
    {
        batchStart = sourcePosition;
        if (batchStart + RecordBatch.HEADER_LENGTH > limit)
        {
            return false;
        }
        final int length = RecordBatch.batchLength(source, batchStart);
        if (length < RecordBatch.HEADER_LENGTH || batchStart + length > limit)
        {
            throw new IllegalStateException("truncated batch at " + batchStart + " length=" + length);
        }
        sourcePosition = batchStart + length;
        batchBaseOffset = RecordBatch.baseOffset(source, batchStart);
        batchFirstTimestamp = source.getLong(batchStart + RecordBatch.FIRST_TIMESTAMP_OFFSET, BYTE_ORDER);
        recordIndex = 0;
        final int attributes = source.getShort(batchStart + RecordBatch.ATTRIBUTES_OFFSET, BYTE_ORDER);
        if ((attributes & RecordBatch.COMPRESSION_MASK) == RecordBatch.COMPRESSION_NONE)
        {
            buffer = source;
            batchEnd = batchStart + length;
            nextRecordPosition = batchStart + RecordBatch.recordsOffset(source, batchStart);
        }
        else
        {
            buffer = decompressed;
            batchEnd = decompress(length);
            nextRecordPosition = 0;
        }
        return nextRecordPosition < batchEnd;
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
