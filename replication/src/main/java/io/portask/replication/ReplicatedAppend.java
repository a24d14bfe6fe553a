package io.portask.replication;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * An append as it travels the Aeron Cluster log, and its answer. Little-endian, as the wire protocol.
 * <pre>
 *   append: correlationId int64 | partition int32 | topic length int16 | topic UTF-8 | record batch
 *   answer: correlationId int64 | base offset int64
 * </pre>
 */
final class ReplicatedAppend
{
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    static final int ANSWER_LENGTH = 16;
    private static final int PARTITION_AT = 8;
    private static final int TOPIC_LENGTH_AT = 12;
    private static final int TOPIC_AT = 14;

    private ReplicatedAppend()
    {
    }

    /**
     * @return bytes written: the append's header then the batch copied after it.
     */
    static int encode(
        final MutableDirectBuffer dst, final long correlationId, final String topic, final int partition,
        final DirectBuffer batch, final int batchOffset, final int batchLength)
    {
        final byte[] name = topic.getBytes(StandardCharsets.UTF_8);
        dst.putLong(0, correlationId, ORDER);
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
