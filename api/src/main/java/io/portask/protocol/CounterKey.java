package io.portask.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * The typed key of a Portask counter, in the counter's key buffer of the Aeron counters file, so that tools build
 * metric names and labels from fields instead of parsing free-text labels (as Aeron's own counters carry their
 * stream and session ids in their keys).
 * <pre>
 *   0  partition    int32  -1 when the counter is not per partition
 *   4  kindLength   int32  bytes of kind, 0 when none
 *   8  topicLength  int32  bytes of the whole topic name (UTF-8), 0 when none
 *  12  kind         ASCII  what the counter counts within its type: a request type, an error code name
 *   .  topic        UTF-8  the topic name, cut to what fits in {@link #MAX_LENGTH} (topicLength tells)
 * </pre>
 * Little-endian, like everything in the counters file. Stateless; any thread.
 */
public final class CounterKey
{
    /** Longest key the counters file holds (Aeron's CountersReader.MAX_KEY_LENGTH). */
    public static final int MAX_LENGTH = 112;
    /** Longest kind. */
    public static final int MAX_KIND_LENGTH = 32;

    private static final int PARTITION_OFFSET = 0;
    private static final int KIND_LENGTH_OFFSET = 4;
    private static final int TOPIC_LENGTH_OFFSET = 8;
    private static final int KIND_OFFSET = 12;

    private CounterKey()
    {
    }

    /**
     * Encode a key.
     *
     * @param buffer    at least {@link #MAX_LENGTH} bytes from 0.
     * @param topic     topic name or null.
     * @param partition partition index or -1.
     * @param kind      kind (ASCII, at most {@link #MAX_KIND_LENGTH}) or null.
     * @return the key's length.
     */
    public static int encode(
        final MutableDirectBuffer buffer, final String topic, final int partition, final String kind)
    {
        final byte[] kindBytes = null == kind ? new byte[0] : kind.getBytes(StandardCharsets.US_ASCII);
        if (kindBytes.length > MAX_KIND_LENGTH)
        {
            throw new IllegalArgumentException("counter kind longer than " + MAX_KIND_LENGTH + ": " + kind);
        }
        final byte[] topicBytes = null == topic ? new byte[0] : topic.getBytes(StandardCharsets.UTF_8);
        buffer.putInt(PARTITION_OFFSET, partition, Frame.BYTE_ORDER);
        buffer.putInt(KIND_LENGTH_OFFSET, kindBytes.length, Frame.BYTE_ORDER);
        buffer.putInt(TOPIC_LENGTH_OFFSET, topicBytes.length, Frame.BYTE_ORDER);
        buffer.putBytes(KIND_OFFSET, kindBytes);
        final int topicAt = KIND_OFFSET + kindBytes.length;
        final int kept = Math.min(topicBytes.length, MAX_LENGTH - topicAt);
        buffer.putBytes(topicAt, topicBytes, 0, kept);
        return topicAt + kept;
    }

    /**
     * @param key a counter's key buffer.
     * @return its partition, -1 when none (or when the key is not a Portask key).
     */
    public static int partition(final DirectBuffer key)
    {
        return key.capacity() < KIND_OFFSET ? -1 : key.getInt(PARTITION_OFFSET, Frame.BYTE_ORDER);
    }

    /**
     * @param key a counter's key buffer.
     * @return its kind, or null.
     */
    public static String kind(final DirectBuffer key)
    {
        final int length = key.capacity() < KIND_OFFSET ? 0 : key.getInt(KIND_LENGTH_OFFSET, Frame.BYTE_ORDER);
        return length <= 0 ? null : key.getStringWithoutLengthAscii(KIND_OFFSET, length);
    }

    /**
     * The topic name. A name too long for the key is taken whole from the end of the label, where counters of a
     * partition carry {@code topic/partition}.
     *
     * @param key   a counter's key buffer.
     * @param label the counter's label.
     * @return the topic, or null.
     */
    public static String topic(final DirectBuffer key, final String label)
    {
        if (key.capacity() < KIND_OFFSET)
        {
            return null;
        }
        final int length = key.getInt(TOPIC_LENGTH_OFFSET, Frame.BYTE_ORDER);
        final int topicAt = KIND_OFFSET + key.getInt(KIND_LENGTH_OFFSET, Frame.BYTE_ORDER);
        if (length <= 0)
        {
            return null;
        }
        if (topicAt + length <= MAX_LENGTH)
        {
            return key.getStringWithoutLengthUtf8(topicAt, length);
        }
        final String suffix = "/" + partition(key);
        final int end = label.endsWith(suffix) ? label.length() - suffix.length() : label.length();
        final byte[] labelBytes = label.substring(0, end).getBytes(StandardCharsets.UTF_8);
        return new String(labelBytes, labelBytes.length - length, length, StandardCharsets.UTF_8);
    }
}
