package io.portask.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.portask.protocol.Frame.BYTE_ORDER;

/**
 * Builds one uncompressed {@link RecordBatch} in a caller's buffer, record by record, then seals it with its
 * length and CRC. Reusable: {@link #reset} starts a new batch in place. Not thread safe; allocates nothing.
 */
public final class RecordBatchWriter
{
    private MutableDirectBuffer buffer;
    private int offset;
    private int capacity;
    private int position;
    private int recordCount;
    private long firstTimestamp;
    private boolean producerFields;

    /**
     * Start a new batch.
     *
     * @param buffer   to write into.
     * @param offset   where the batch starts.
     * @param capacity bytes the batch may use at most.
     * @return this for a fluent API.
     */
    public RecordBatchWriter reset(final MutableDirectBuffer buffer, final int offset, final int capacity)
    {
        return reset(buffer, offset, capacity, false);
    }

    /**
     * Start a new batch, with room for an idempotent producer's fields when asked: seal it then with
     * {@link #seal(long, short, int)}.
     *
     * @param buffer         to write into.
     * @param offset         where the batch starts.
     * @param capacity       bytes the batch may use at most.
     * @param producerFields whether the batch carries producer id, epoch and base sequence.
     * @return this for a fluent API.
     */
    public RecordBatchWriter reset(
        final MutableDirectBuffer buffer, final int offset, final int capacity, final boolean producerFields)
    {
        final int header = producerFields ? RecordBatch.PRODUCER_HEADER_LENGTH : RecordBatch.HEADER_LENGTH;
        if (capacity < header)
        {
            throw new IllegalArgumentException("capacity=" + capacity + " < batch header " + header);
        }
        this.buffer = buffer;
        this.offset = offset;
        this.capacity = capacity;
        this.position = offset + header;
        this.recordCount = 0;
        this.firstTimestamp = 0;
        this.producerFields = producerFields;
        return this;
    }

    /**
     * Bytes a record takes in a batch.
     *
     * @param keyLength    key bytes, or -1 for no key.
     * @param valueLength  value bytes, or -1 for no value.
     * @param headersBytes the encoded size of the headers, see {@link #headerLength(int, int)}.
     * @return encoded length including the record length field.
     */
    public static int recordLength(final int keyLength, final int valueLength, final int headersBytes)
    {
        return 4 + 4 + 4 + Math.max(0, keyLength) + 4 + Math.max(0, valueLength) + 4 + headersBytes;
    }

    /**
     * Bytes one header takes.
     *
     * @param keyLength   UTF-8 bytes of the header key.
     * @param valueLength bytes of its value, -1 for none.
     * @return encoded length of the header.
     */
    public static int headerLength(final int keyLength, final int valueLength)
    {
        return 4 + keyLength + 4 + Math.max(0, valueLength);
    }

    /**
     * Whether a record of this encoded length still fits.
     *
     * @param recordLength from {@link #recordLength(int, int, int)}.
     * @return true when it fits.
     */
    public boolean hasRoomFor(final int recordLength)
    {
        return position + recordLength <= offset + capacity;
    }

    /**
     * Append a record without headers.
     *
     * @param timestampMs epoch ms of the record.
     * @param key         key bytes or null.
     * @param value       value bytes or null.
     * @return true when appended, false when the batch is full.
     */
    public boolean append(final long timestampMs, final byte[] key, final byte[] value)
    {
        return append(timestampMs, key, value, null, null);
    }

    /**
     * Append a record.
     *
     * @param timestampMs  epoch ms of the record.
     * @param key          key bytes or null.
     * @param value        value bytes or null.
     * @param headerKeys   UTF-8 header keys or null; parallel to headerValues.
     * @param headerValues header values or null; an element may be null.
     * @return true when appended, false when the batch is full.
     */
    public boolean append(
        final long timestampMs,
        final byte[] key,
        final byte[] value,
        final byte[][] headerKeys,
        final byte[][] headerValues)
    {
        final int headerCount = null == headerKeys ? 0 : headerKeys.length;
        int headersBytes = 0;
        for (int i = 0; i < headerCount; i++)
        {
            headersBytes += headerLength(headerKeys[i].length, lengthOf(headerValues[i]));
        }
        if (!beginRecord(timestampMs, recordLength(lengthOf(key), lengthOf(value), headersBytes)))
        {
            return false;
        }
        position = putBytes(key, position);
        position = putBytes(value, position);
        buffer.putInt(position, headerCount, BYTE_ORDER);
        position += 4;
        for (int i = 0; i < headerCount; i++)
        {
            position = putBytes(headerKeys[i], position);
            position = putBytes(headerValues[i], position);
        }
        recordCount++;
        return true;
    }

    /**
     * Append a record whose key and value are in direct buffers: the allocation-free path for benchmarks and tools.
     *
     * @param timestampMs epoch ms of the record.
     * @param key         buffer of the key, or null.
     * @param keyOffset   offset of the key.
     * @param keyLength   length of the key.
     * @param value       buffer of the value.
     * @param valueOffset offset of the value.
     * @param valueLength length of the value.
     * @return true when appended, false when the batch is full.
     */
    public boolean append(
        final long timestampMs,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength)
    {
        final int keyLen = null == key ? -1 : keyLength;
        if (!beginRecord(timestampMs, recordLength(keyLen, valueLength, 0)))
        {
            return false;
        }
        buffer.putInt(position, keyLen, BYTE_ORDER);
        position += 4;
        if (keyLen > 0)
        {
            buffer.putBytes(position, key, keyOffset, keyLen);
            position += keyLen;
        }
        buffer.putInt(position, valueLength, BYTE_ORDER);
        buffer.putBytes(position + 4, value, valueOffset, valueLength);
        position += 4 + valueLength;
        buffer.putInt(position, 0, BYTE_ORDER);
        position += 4;
        recordCount++;
        return true;
    }

    /**
     * Write a record's length and timestamp delta if it fits; the caller writes the rest.
     *
     * @return false when the record does not fit, with nothing written.
     */
    private boolean beginRecord(final long timestampMs, final int recordLength)
    {
        if (!hasRoomFor(recordLength))
        {
            return false;
        }
        if (0 == recordCount)
        {
            firstTimestamp = timestampMs;
        }
        buffer.putInt(position, recordLength - 4, BYTE_ORDER);
        buffer.putInt(position + 4, (int)(timestampMs - firstTimestamp), BYTE_ORDER);
        position += 8;
        return true;
    }

    /**
     * @return records appended since the last reset.
     */
    public int recordCount()
    {
        return recordCount;
    }

    /**
     * @return bytes the batch holds so far, header included.
     */
    public int length()
    {
        return position - offset;
    }

    /**
     * Write the header: length, count, timestamps and CRC. The batch is then ready to send.
     *
     * @return the batch length.
     */
    public int seal()
    {
        if (producerFields)
        {
            throw new IllegalStateException("a batch started with producer fields is sealed with them");
        }
        return sealHeader(RecordBatch.COMPRESSION_NONE);
    }

    /**
     * Seal an idempotent producer's batch (started with producer fields).
     *
     * @param producerId    from InitProducer.
     * @param producerEpoch from InitProducer.
     * @param baseSequence  the producer's sequence of the first record on this partition.
     * @return the batch length.
     */
    public int seal(final long producerId, final short producerEpoch, final int baseSequence)
    {
        if (!producerFields)
        {
            throw new IllegalStateException("the batch was started without room for producer fields");
        }
        buffer.putLong(offset + RecordBatch.PRODUCER_ID_OFFSET, producerId, BYTE_ORDER);
        buffer.putInt(offset + RecordBatch.BASE_SEQUENCE_OFFSET, baseSequence, BYTE_ORDER);
        buffer.putShort(offset + RecordBatch.PRODUCER_EPOCH_OFFSET, producerEpoch, BYTE_ORDER);
        buffer.putShort(offset + RecordBatch.PRODUCER_EPOCH_OFFSET + 2, (short)0, BYTE_ORDER);
        return sealHeader(RecordBatch.COMPRESSION_NONE | RecordBatch.ATTRIBUTE_PRODUCER);
    }

    private int sealHeader(final int attributes)
    {
        final int length = length();
        buffer.putLong(offset + RecordBatch.BASE_OFFSET_OFFSET, 0L, BYTE_ORDER);
        buffer.putInt(offset + RecordBatch.RECORD_COUNT_OFFSET, recordCount, BYTE_ORDER);
        buffer.putShort(offset + RecordBatch.ATTRIBUTES_OFFSET, (short)attributes, BYTE_ORDER);
        buffer.putShort(offset + RecordBatch.ATTRIBUTES_OFFSET + 2, (short)0, BYTE_ORDER);
        buffer.putLong(offset + RecordBatch.FIRST_TIMESTAMP_OFFSET, firstTimestamp, BYTE_ORDER);
        RecordBatch.seal(buffer, offset, length);
        return length;
    }

    private int putBytes(final byte[] bytes, final int at)
    {
        if (null == bytes)
        {
            buffer.putInt(at, -1, BYTE_ORDER);
            return at + 4;
        }
        buffer.putInt(at, bytes.length, BYTE_ORDER);
        buffer.putBytes(at + 4, bytes);
        return at + 4 + bytes.length;
    }

    private static int lengthOf(final byte[] bytes)
    {
        return null == bytes ? -1 : bytes.length;
    }
}
