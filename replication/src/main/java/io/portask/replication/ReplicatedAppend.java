package io.portask.replication;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The messages that travel the Aeron Cluster log, and their answer. Little-endian, as the wire protocol. Each
 * starts with its type:
 * <pre>
 *   append: 1 int32 | correlationId int64 | producerId int64 | sequence int64 | partition int32
 *           | topic length int16 | topic UTF-8 | record batch
 *   create: 2 int32 | correlationId int64 | partitions int32 | retention ms int64 | retention bytes int64
 *           | topic length int16 | topic UTF-8
 *   commit: 3 int32 | correlationId int64 | partition int32 | offset int64 | topic length int16 | topic UTF-8
 *           | group length int16 | group UTF-8
 *   answer: correlationId int64 | base offset int64 (0 for a create; or {@link #OUT_OF_ORDER}, {@link #TOO_OLD},
 *           {@link #TOPIC_EXISTS})
 * </pre>
 * A producer id below 0 means no idempotence: the append is applied however often it arrives. A sequence is the
 * batch's first record's, as in the record batch ({@link ProducerWindows}).
 */
final class ReplicatedAppend
{
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    static final int ANSWER_LENGTH = 16;
    static final int APPEND = 1;
    static final int CREATE_TOPIC = 2;
    static final int COMMIT = 3;
    /** The answer's offset when the sequence skips one: nothing was appended; send the missing ones first. */
    static final long OUT_OF_ORDER = -2;
    /** The answer's offset to a duplicate older than the producer's window: it was appended, its offset forgotten. */
    static final long TOO_OLD = -3;
    /** The answer to a create of a topic the cluster has. */
    static final long TOPIC_EXISTS = -4;
    private static final int CORRELATION_AT = 4;
    private static final int PRODUCER_AT = 12;
    private static final int SEQUENCE_AT = 20;
    private static final int PARTITION_AT = 28;
    private static final int TOPIC_LENGTH_AT = 32;
    private static final int TOPIC_AT = 34;
    private static final int PARTITIONS_AT = 12;
    private static final int RETENTION_MS_AT = 16;
    private static final int RETENTION_BYTES_AT = 24;
    private static final int CREATE_NAME_LENGTH_AT = 32;
    private static final int CREATE_NAME_AT = 34;
    private static final int COMMIT_PARTITION_AT = 12;
    private static final int COMMIT_OFFSET_AT = 16;
    private static final int COMMIT_TOPIC_AT = 26;

    private ReplicatedAppend()
    {
    }

    /**
     * @return bytes written: the append's header then the batch copied after it.
     */
    static int encode(
        final MutableDirectBuffer dst, final long correlationId, final long producerId, final long sequence,
        final byte[] topic, final int partition, final DirectBuffer batch, final int batchOffset, final int batchLength)
    {
        dst.putInt(0, APPEND, ORDER);
        dst.putLong(CORRELATION_AT, correlationId, ORDER);
        dst.putLong(PRODUCER_AT, producerId, ORDER);
        dst.putLong(SEQUENCE_AT, sequence, ORDER);
        dst.putInt(PARTITION_AT, partition, ORDER);
        dst.putShort(TOPIC_LENGTH_AT, (short)topic.length, ORDER);
        dst.putBytes(TOPIC_AT, topic);
        dst.putBytes(TOPIC_AT + topic.length, batch, batchOffset, batchLength);
        return TOPIC_AT + topic.length + batchLength;
    }

    /**
     * @return bytes written.
     */
    static int encodeCreate(
        final MutableDirectBuffer dst, final long correlationId, final String topic, final int partitions,
        final long retentionMs, final long retentionBytes)
    {
        dst.putInt(0, CREATE_TOPIC, ORDER);
        dst.putLong(CORRELATION_AT, correlationId, ORDER);
        dst.putInt(PARTITIONS_AT, partitions, ORDER);
        dst.putLong(RETENTION_MS_AT, retentionMs, ORDER);
        dst.putLong(RETENTION_BYTES_AT, retentionBytes, ORDER);
        final byte[] name = topic.getBytes(StandardCharsets.UTF_8);
        dst.putShort(CREATE_NAME_LENGTH_AT, (short)name.length, ORDER);
        dst.putBytes(CREATE_NAME_AT, name);
        return CREATE_NAME_AT + name.length;
    }

    /**
     * @return bytes written.
     */
    static int encodeCommit(
        final MutableDirectBuffer dst, final long correlationId, final String group, final String topic,
        final int partition, final long committedOffset)
    {
        dst.putInt(0, COMMIT, ORDER);
        dst.putLong(CORRELATION_AT, correlationId, ORDER);
        dst.putInt(COMMIT_PARTITION_AT, partition, ORDER);
        dst.putLong(COMMIT_OFFSET_AT, committedOffset, ORDER);
        final int topicLength = dst.putStringWithoutLengthUtf8(COMMIT_TOPIC_AT, topic);
        dst.putShort(COMMIT_TOPIC_AT - 2, (short)topicLength, ORDER);
        final int groupAt = COMMIT_TOPIC_AT + topicLength + 2;
        final int groupLength = dst.putStringWithoutLengthUtf8(groupAt, group);
        dst.putShort(groupAt - 2, (short)groupLength, ORDER);
        return groupAt + groupLength;
    }

    static int commitPartition(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + COMMIT_PARTITION_AT, ORDER);
    }

    static long committedOffset(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + COMMIT_OFFSET_AT, ORDER);
    }

    static String commitTopic(final DirectBuffer buffer, final int offset)
    {
        return buffer.getStringWithoutLengthUtf8(
            offset + COMMIT_TOPIC_AT, buffer.getShort(offset + COMMIT_TOPIC_AT - 2, ORDER));
    }

    static String commitGroup(final DirectBuffer buffer, final int offset)
    {
        final int groupAt = offset + COMMIT_TOPIC_AT + buffer.getShort(offset + COMMIT_TOPIC_AT - 2, ORDER) + 2;
        return buffer.getStringWithoutLengthUtf8(groupAt, buffer.getShort(groupAt - 2, ORDER));
    }

    static int type(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset, ORDER);
    }

    static long correlationId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + CORRELATION_AT, ORDER);
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

    static int topicOffset(final DirectBuffer buffer, final int offset)
    {
        return offset + TOPIC_AT;
    }

    static int topicLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + TOPIC_LENGTH_AT, ORDER);
    }

    static int batchOffset(final DirectBuffer buffer, final int offset)
    {
        return offset + TOPIC_AT + topicLength(buffer, offset);
    }

    static int partitions(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + PARTITIONS_AT, ORDER);
    }

    static long retentionMs(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + RETENTION_MS_AT, ORDER);
    }

    static long retentionBytes(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + RETENTION_BYTES_AT, ORDER);
    }

    static String createdTopic(final DirectBuffer buffer, final int offset)
    {
        return buffer.getStringWithoutLengthUtf8(
            offset + CREATE_NAME_AT, buffer.getShort(offset + CREATE_NAME_LENGTH_AT, ORDER));
    }
}
