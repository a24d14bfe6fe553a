package io.portask.replication;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Object2LongHashMap;
import org.agrona.concurrent.IdleStrategy;

import java.util.Map;

/**
 * The replicated service's snapshot: each partition's next offset and its idempotent producers' windows, and each
 * replicated topic, one message each, then an end marker. The key (topic/partition, or the topic) is the rest of a
 * message.
 * <pre>
 *   offsets:  1 int32 | next offset int64 | key UTF-8
 *   producer: 2 int32 | producer id int64 | window int64 x {@link ProducerWindows#LONGS} | key UTF-8
 *   topic:    3 int32 | partitions, retention ms, retention bytes int64 x 3 | topic UTF-8
 *   end:      0 int32
 * </pre>
 */
final class Snapshots
{
    private static final int END = 0;
    private static final int OFFSETS = 1;
    private static final int PRODUCER = 2;
    private static final int TOPIC = 3;
    private static final int WINDOW_LONGS = ProducerWindows.LONGS;

    private Snapshots()
    {
    }

    static void take(
        final ExclusivePublication publication,
        final IdleStrategy idle,
        final Object2LongHashMap<String> nextOffsets,
        final Map<String, ProducerWindows> windows,
        final Map<String, long[]> topics)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(512);
        for (final Object2LongHashMap<String>.EntryIterator it = nextOffsets.entrySet().iterator(); it.hasNext(); )
        {
            it.next();
            buffer.putInt(0, OFFSETS, ReplicatedAppend.ORDER);
            buffer.putLong(4, it.getLongValue(), ReplicatedAppend.ORDER);
            offer(publication, idle, buffer, 12 + buffer.putStringWithoutLengthUtf8(12, it.getKey()));
        }
        windows.forEach((key, producers) -> producers.forEach((producerId, window) ->
        {
            buffer.putInt(0, PRODUCER, ReplicatedAppend.ORDER);
            buffer.putLong(4, producerId, ReplicatedAppend.ORDER);
            final int keyAt = putLongs(buffer, 12, window);
            offer(publication, idle, buffer, keyAt + buffer.putStringWithoutLengthUtf8(keyAt, key));
        }));
        topics.forEach((name, topic) ->
        {
            buffer.putInt(0, TOPIC, ReplicatedAppend.ORDER);
            final int nameAt = putLongs(buffer, 4, topic);
            offer(publication, idle, buffer, nameAt + buffer.putStringWithoutLengthUtf8(nameAt, name));
        });
        buffer.putInt(0, END, ReplicatedAppend.ORDER);
        offer(publication, idle, buffer, 4);
    }

    /**
     * @return where the bytes after the longs start.
     */
    private static int putLongs(final ExpandableArrayBuffer buffer, final int at, final long[] values)
    {
        for (int i = 0; i < values.length; i++)
        {
            buffer.putLong(at + 8 * i, values[i], ReplicatedAppend.ORDER);
        }
        return at + 8 * values.length;
    }

    private static long[] getLongs(final DirectBuffer buffer, final int at, final int count)
    {
        final long[] values = new long[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = buffer.getLong(at + 8 * i, ReplicatedAppend.ORDER);
        }
        return values;
    }

    private static void offer(
        final ExclusivePublication publication, final IdleStrategy idle, final ExpandableArrayBuffer buffer,
        final int length)
    {
        idle.reset();
        while (publication.offer(buffer, 0, length) < 0)
        {
            idle.idle();
        }
    }

    static void load(
        final Image image,
        final IdleStrategy idle,
        final Object2LongHashMap<String> nextOffsets,
        final Map<String, ProducerWindows> windows,
        final Map<String, long[]> topics)
    {
        final boolean[] done = { false };
        final FragmentHandler handler = (buffer, offset, length, header) ->
        {
            final int type = buffer.getInt(offset, ReplicatedAppend.ORDER);
            if (OFFSETS == type)
            {
                nextOffsets.put(buffer.getStringWithoutLengthUtf8(offset + 12, length - 12),
                    buffer.getLong(offset + 4, ReplicatedAppend.ORDER));
            }
            else if (PRODUCER == type)
            {
                final long[] window = getLongs(buffer, offset + 12, WINDOW_LONGS);
                final int keyAt = 12 + 8 * WINDOW_LONGS;
                windows.computeIfAbsent(buffer.getStringWithoutLengthUtf8(offset + keyAt, length - keyAt),
                    k -> new ProducerWindows()).restore(buffer.getLong(offset + 4, ReplicatedAppend.ORDER), window);
            }
            else if (TOPIC == type)
            {
                topics.put(
                    buffer.getStringWithoutLengthUtf8(offset + 28, length - 28), getLongs(buffer, offset + 4, 3));
            }
            else
            {
                done[0] = true;
            }
        };
        idle.reset();
        while (!done[0])
        {
            final int fragments = image.poll(handler, 16);
            if (0 == fragments && !done[0] && image.isEndOfStream())
            {
                throw new IllegalStateException("snapshot ended before its end marker");
            }
            idle.idle(fragments);
        }
    }
}
