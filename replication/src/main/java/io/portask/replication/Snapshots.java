package io.portask.replication;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Object2LongHashMap;
import org.agrona.concurrent.IdleStrategy;

/**
 * The replicated service's snapshot: each partition's next offset, one message per partition, then an end marker.
 * <pre>
 *   entry: next offset int64 | key (topic/partition) UTF-8, the rest of the message
 *   end:   -1 int64
 * </pre>
 */
final class Snapshots
{
    private static final long END = -1;

    private Snapshots()
    {
    }

    static void take(
        final ExclusivePublication publication, final IdleStrategy idle, final Object2LongHashMap<String> nextOffsets)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        for (final Object2LongHashMap<String>.EntryIterator it = nextOffsets.entrySet().iterator(); it.hasNext(); )
        {
            it.next();
            buffer.putLong(0, it.getLongValue(), ReplicatedAppend.ORDER);
            final int length = 8 + buffer.putStringWithoutLengthUtf8(8, it.getKey());
            offer(publication, idle, buffer, length);
        }
        buffer.putLong(0, END, ReplicatedAppend.ORDER);
        offer(publication, idle, buffer, 8);
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

    static void load(final Image image, final IdleStrategy idle, final Object2LongHashMap<String> nextOffsets)
    {
        final boolean[] done = { false };
        final FragmentHandler handler = (buffer, offset, length, header) ->
        {
            final long next = buffer.getLong(offset, ReplicatedAppend.ORDER);
            if (END == next)
            {
                done[0] = true;
            }
            else
            {
                nextOffsets.put(buffer.getStringWithoutLengthUtf8(offset + 8, length - 8), next);
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
