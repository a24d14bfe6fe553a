package io.portask.replication;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * An append as it travels the Aeron Cluster log, and its answer. Little-endian, as the wire protocol.
 * <pre>
 *   append: correlationId int64 | producerId int64 | sequence int64 | partition int32 | topic length int16
 *           | topic UTF-8 | record batch
 *   answer: correlationId int64 | base offset int64 (or {@link #OUT_OF_ORDER}, {@link #TOO_OLD})
 * </pre>
 * A producer id below 0 means no idempotence: the append is applied however often it arrives.
 */
final class ReplicatedAppend
{
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    static final int ANSWER_LENGTH = 16;
    /** The answer's offset when the sequence skips one: nothing was appended; send the missing ones first. */
    static final long OUT_OF_ORDER = -2;
    /** The answer's offset to a duplicate older than the producer's window: it was appended, its offset forgotten. */
    static final long TOO_OLD = -3;
    private static final int PRODUCER_AT = 8;
    private static final int SEQUENCE_AT = 16;
    private static final int PARTITION_AT = 24;
    private static final int TOPIC_LENGTH_AT = 28;
    private static final int TOPIC_AT = 30;

    private ReplicatedAppend()
    {
    }

    /**
     * @return bytes written: the append's header then the batch copied after it.
     */
    static int encode(
        final MutableDirectBuffer dst, final long correlationId, final long producerId, final long sequence,
        final String topic, final int partition, final DirectBuffer batch, final int batchOffset, final int batchLength)
    {
        final byte[] name = topic.getBytes(StandardCharsets.UTF_8);
        dst.putLong(0, correlationId, ORDER);
        dst.putLong(PRODUCER_AT, producerId, ORDER);
        dst.putLong(SEQUENCE_AT, sequence, ORDER);
        dst.putInt(PARTITION_AT, partition, ORDER);
        dst.putShort(TOPIC_LENGTH_AT, (short)name.length, ORDER);
        dst.putBytes(TOPIC_AT, name);
        dst.putBytes(TOPIC_AT + name.length, batch, batchOffset, batchLength);
        return TOPIC_AT + name.length + batchLength;
    }

    static long correlationId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset, ORDER);
    }

    static long producerId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + PRODUCER_AT, ORDER);
    }

    static long sequence(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + SEQUENCE_AT, ORDER);
    }

    static int partition(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + PARTITION_AT, ORDER);
    }

    static String topic(final DirectBuffer buffer, final int offset)
    {
        return buffer.getStringWithoutLengthUtf8(offset + TOPIC_AT, buffer.getShort(offset + TOPIC_LENGTH_AT, ORDER));
    }

    static int batchOffset(final DirectBuffer buffer, final int offset)
    {
        return offset + TOPIC_AT + buffer.getShort(offset + TOPIC_LENGTH_AT, ORDER);
    }
}
