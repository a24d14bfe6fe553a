package io.portask.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.portask.protocol.Frame.BYTE_ORDER;

/**
 * Flyweight over a record batch: the unit a producer sends, the journal stores and a fetch returns, unchanged.
 * <pre>
 *   0  baseOffset      int64  offset of the first record; assigned by the broker (producers write 0)
 *   8  batchLength     int32  the whole batch in bytes, this header included
 *  12  crc32c          int32  CRC32C of bytes [16, batchLength): baseOffset is outside it, so the broker can
 *                             assign offsets without recomputing it
 *  16  recordCount     int32  at least 1; record i has offset baseOffset + i
 *  20  attributes      int16  bits 0-2: compression (0 none, 1 zstd: the records are one zstd frame, see
 *                             {@link BatchCompression}); bit 3: producer fields follow; other bits 0
 *  22  reserved        int16  0
 *  24  firstTimestamp  int64  epoch milliseconds of the first record
 *  with bit 3 (an idempotent producer's batch):
 *  32  producerId      int64  given by InitProducer
 *  40  baseSequence    int32  the producer's sequence of the first record on this partition
 *  44  producerEpoch   int16
 *  46  reserved        int16  0
 *  32 (48 with bit 3)  records   recordCount records, each:
 *        recordLength int32 (bytes after this field) | timestampDelta int32 (ms after firstTimestamp)
 *        | keyLength int32 (-1 for none) | key | valueLength int32 (-1 for none) | value
 *        | headerCount int32 | headerCount x (keyLength int32 | key UTF-8 | valueLength int32 | value)
 * </pre>
 * All fields little-endian. Not thread safe: one flyweight per thread, re-wrapped per batch; allocates nothing.
 */
public final class RecordBatch
{
    /** Offset of the base offset field. */
    public static final int BASE_OFFSET_OFFSET = 0;
    /** Offset of the batch length field. */
    public static final int BATCH_LENGTH_OFFSET = 8;
    /** Offset of the CRC field. */
    public static final int CRC_OFFSET = 12;
    /** Offset of the record count field. */
    public static final int RECORD_COUNT_OFFSET = 16;
    /** Offset of the attributes field. */
    public static final int ATTRIBUTES_OFFSET = 20;
    /** Offset of the first timestamp field. */
    public static final int FIRST_TIMESTAMP_OFFSET = 24;
    /** Length of the batch header; the first record starts here. */
    public static final int HEADER_LENGTH = 32;
    /** First byte covered by the CRC. */
    public static final int CRC_START = RECORD_COUNT_OFFSET;
    /** Mask of the compression bits in the attributes. */
    public static final int COMPRESSION_MASK = 0x7;
    /** Compression codec id: none. */
    public static final int COMPRESSION_NONE = 0;
    /** Compression codec id: zstd. */
    public static final int COMPRESSION_ZSTD = 1;
    /** Attributes bit: producer fields follow the header (an idempotent producer's batch). */
    public static final int ATTRIBUTE_PRODUCER = 0x8;
    /** Offset of the producer id, when {@link #ATTRIBUTE_PRODUCER} is set. */
    public static final int PRODUCER_ID_OFFSET = 32;
    /** Offset of the base sequence, when {@link #ATTRIBUTE_PRODUCER} is set. */
    public static final int BASE_SEQUENCE_OFFSET = 40;
    /** Offset of the producer epoch, when {@link #ATTRIBUTE_PRODUCER} is set. */
    public static final int PRODUCER_EPOCH_OFFSET = 44;
    /** Length of the header and the producer fields: where records start in an idempotent producer's batch. */
    public static final int PRODUCER_HEADER_LENGTH = 48;
    /** The smallest record: its length field, then timestamp delta, key, value and header-count fields. */
    public static final int MIN_RECORD_LENGTH = 4 + 16;

    private DirectBuffer buffer;
    private int offset;
    private int length;

    /**
     * Wrap a region that should hold one batch; call {@link #validate()} before trusting its fields.
     *
     * @param buffer holding the batch.
     * @param offset where it starts.
     * @param length bytes available for it.
     * @return this for a fluent API.
     */
    public RecordBatch wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * Check the batch's length, CRC and, when uncompressed, that its records exactly fill it.
     *
     * @return {@link ErrorCode#NONE} when the batch is sound, else {@link ErrorCode#CORRUPT_MESSAGE}.
     */
    public ErrorCode validate()
    {
        return validate(Integer.MAX_VALUE);
    }

    /**
     * Check the batch's length and CRC; when uncompressed, that its records exactly fill it; when compressed
     * (without decompressing: the broker never does), that its codec is known and the size it claims for its
     * records is possible for its record count and at most a bound.
     *
     * @param maxUncompressedLength the most bytes a compressed batch's records may claim.
     * @return {@link ErrorCode#NONE} when the batch is sound, else {@link ErrorCode#CORRUPT_MESSAGE}.
     */
    public ErrorCode validate(final int maxUncompressedLength)
    {
        if (length < HEADER_LENGTH || batchLength() != length || recordCount() < 1 || length < recordsOffset())
        {
            return ErrorCode.CORRUPT_MESSAGE;
        }
        if (crc() != Frame.crc32c(buffer, offset + CRC_START, length - CRC_START))
        {
            return ErrorCode.CORRUPT_MESSAGE;
        }
        final int compression = compression();
        if (COMPRESSION_NONE == compression)
        {
            return recordsFill(buffer, offset + recordsOffset(), offset + length, recordCount()) ?
                ErrorCode.NONE : ErrorCode.CORRUPT_MESSAGE;
        }
        if (COMPRESSION_ZSTD != compression || length <= BatchCompression.dataOffset(buffer, offset))
        {
            return ErrorCode.CORRUPT_MESSAGE;
        }
        final long claimed = BatchCompression.uncompressedLength(buffer, offset);
        return claimed >= (long)recordCount() * MIN_RECORD_LENGTH && claimed <= maxUncompressedLength ?
            ErrorCode.NONE : ErrorCode.CORRUPT_MESSAGE;
    }

    /**
     * Whether a run of records is well formed and exactly fills a region.
     *
     * @param buffer holding the records.
     * @param start  where the first record starts.
     * @param end    where the region ends.
     * @param count  records there should be.
     * @return true when {@code count} well-formed records end exactly at {@code end}.
     */
    public static boolean recordsFill(final DirectBuffer buffer, final int start, final int end, final int count)
    {
        int position = start;
        for (int i = 0; i < count; i++)
        {
            if (position + 4 > end)
            {
                return false;
            }
            final int recordLength = buffer.getInt(position, BYTE_ORDER);
            if (recordLength < MIN_RECORD_LENGTH - 4 || recordLength > end - position - 4 ||
                !isRecordWellFormed(buffer, position + 4, position + 4 + recordLength))
            {
                return false;
            }
            position += 4 + recordLength;
        }
        return position == end;
    }

    private static boolean isRecordWellFormed(final DirectBuffer buffer, final int recordStart, final int recordEnd)
    {
        int position = skipBytes(buffer, recordStart + 4, recordEnd, true);
        position = skipBytes(buffer, position, recordEnd, true);
        if (position < 0 || position + 4 > recordEnd)
        {
            return false;
        }
        final int headerCount = buffer.getInt(position, BYTE_ORDER);
        position += 4;
        for (int i = 0; i < headerCount && position >= 0; i++)
        {
            position = skipBytes(buffer, position, recordEnd, false);
            position = skipBytes(buffer, position, recordEnd, true);
        }
        return headerCount >= 0 && position == recordEnd;
    }

    private static int skipBytes(final DirectBuffer buffer, final int position, final int end, final boolean nullable)
    {
        if (position < 0 || position + 4 > end)
        {
            return -1;
        }
        final int length = buffer.getInt(position, BYTE_ORDER);
        if (length < (nullable ? -1 : 0) || length > end - position - 4)
        {
            return -1;
        }
        return position + 4 + Math.max(0, length);
    }

    /**
     * @param buffer holding a batch.
     * @param offset where it starts.
     * @return where its records (or their compressed form) start, relative to the batch: after the producer
     *         fields when it has them.
     */
    public static int recordsOffset(final DirectBuffer buffer, final int offset)
    {
        return hasProducer(buffer, offset) ? PRODUCER_HEADER_LENGTH : HEADER_LENGTH;
    }

    /**
     * @param buffer holding a batch.
     * @param offset where it starts.
     * @return true when it carries an idempotent producer's id, epoch and base sequence.
     */
    public static boolean hasProducer(final DirectBuffer buffer, final int offset)
    {
        return 0 != (buffer.getShort(offset + ATTRIBUTES_OFFSET, BYTE_ORDER) & ATTRIBUTE_PRODUCER);
    }

    /**
     * @return where this batch's records start, relative to it.
     */
    public int recordsOffset()
    {
        return recordsOffset(buffer, offset);
    }

    /**
     * @return true when this batch carries producer fields.
     */
    public boolean hasProducer()
    {
        return hasProducer(buffer, offset);
    }

    /**
     * @return the producer id; only with {@link #hasProducer()}.
     */
    public long producerId()
    {
        return buffer.getLong(offset + PRODUCER_ID_OFFSET, BYTE_ORDER);
    }

    /**
     * @return the producer's sequence of the first record; only with {@link #hasProducer()}.
     */
    public int baseSequence()
    {
        return buffer.getInt(offset + BASE_SEQUENCE_OFFSET, BYTE_ORDER);
    }

    /**
     * @return the producer epoch; only with {@link #hasProducer()}.
     */
    public short producerEpoch()
    {
        return buffer.getShort(offset + PRODUCER_EPOCH_OFFSET, BYTE_ORDER);
    }

    /**
     * Copy whole batches of a run, as a read does: the first always (if it fits the destination), then more while
     * they stay within {@code maxBytes}.
     *
     * @param src         holding the run.
     * @param position    where the first batch to copy starts.
     * @param end         where the run ends.
     * @param maxBytes    soft limit.
     * @param dst         destination.
     * @param dstOffset   where to copy to.
     * @param dstCapacity hard limit.
     * @return bytes copied.
     */
    public static int copyWhole(
        final DirectBuffer src, final int position, final int end, final int maxBytes, final MutableDirectBuffer dst,
        final int dstOffset, final int dstCapacity)
    {
        int written = 0;
        int at = position;
        while (at < end)
        {
            final int length = batchLength(src, at);
            if (written > 0 && written + length > maxBytes || written + length > dstCapacity)
            {
                break;
            }
            dst.putBytes(dstOffset + written, src, at, length);
            written += length;
            at += length;
        }
        return written;
    }

    /**
     * Write a batch's length and CRC once everything else in it is in place.
     *
     * @param buffer holding the batch.
     * @param offset where it starts.
     * @param length its length.
     */
    public static void seal(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        buffer.putInt(offset + BATCH_LENGTH_OFFSET, length, BYTE_ORDER);
        buffer.putInt(offset + CRC_OFFSET, Frame.crc32c(buffer, offset + CRC_START, length - CRC_START), BYTE_ORDER);
    }

    /**
     * @return offset of the first record.
     */
    public long baseOffset()
    {
        return buffer.getLong(offset + BASE_OFFSET_OFFSET, BYTE_ORDER);
    }

    /**
     * @return offset one past the last record.
     */
    public long nextOffset()
    {
        return baseOffset() + recordCount();
    }

    /**
     * @return the batch length field.
     */
    public int batchLength()
    {
        return buffer.getInt(offset + BATCH_LENGTH_OFFSET, BYTE_ORDER);
    }

    /**
     * @return the stored CRC.
     */
    public int crc()
    {
        return buffer.getInt(offset + CRC_OFFSET, BYTE_ORDER);
    }

    /**
     * @return number of records.
     */
    public int recordCount()
    {
        return buffer.getInt(offset + RECORD_COUNT_OFFSET, BYTE_ORDER);
    }

    /**
     * @return the compression codec id.
     */
    public int compression()
    {
        return buffer.getShort(offset + ATTRIBUTES_OFFSET, BYTE_ORDER) & COMPRESSION_MASK;
    }

    /**
     * @return epoch ms of the first record.
     */
    public long firstTimestamp()
    {
        return buffer.getLong(offset + FIRST_TIMESTAMP_OFFSET, BYTE_ORDER);
    }

    /**
     * Assign the base offset in a batch the broker is about to append; the CRC does not cover it.
     *
     * @param buffer     holding the batch.
     * @param offset     where it starts.
     * @param baseOffset offset of its first record.
     */
    public static void baseOffset(final MutableDirectBuffer buffer, final int offset, final long baseOffset)
    {
        buffer.putLong(offset + BASE_OFFSET_OFFSET, baseOffset, BYTE_ORDER);
    }

    /**
     * Read the batch length field of a batch without wrapping it.
     *
     * @param buffer holding the batch.
     * @param offset where it starts.
     * @return the batch length field.
     */
    public static int batchLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + BATCH_LENGTH_OFFSET, BYTE_ORDER);
    }

    /**
     * Read the base offset field of a batch without wrapping it.
     *
     * @param buffer holding the batch.
     * @param offset where it starts.
     * @return the base offset field.
     */
    public static long baseOffset(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + BASE_OFFSET_OFFSET, BYTE_ORDER);
    }

    /**
     * Read the record count field of a batch without wrapping it.
     *
     * @param buffer holding the batch.
     * @param offset where it starts.
     * @return the record count field.
     */
    public static int recordCount(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + RECORD_COUNT_OFFSET, BYTE_ORDER);
    }
}
