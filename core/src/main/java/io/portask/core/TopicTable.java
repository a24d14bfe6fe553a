package io.portask.core;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Topics by name, looked up with the UTF-8 bytes straight from a request so that the produce and fetch paths
 * build no String. Open addressing with linear probing; tombstone-free deletion by re-inserting the cluster.
 * Owned by the core agent; not thread safe.
 */
final class TopicTable
{
    private Topic[] slots = new Topic[16];
    private int size;

    int size()
    {
        return size;
    }

    Topic get(final DirectBuffer buffer, final int offset, final int length)
    {
        final int mask = slots.length - 1;
        int index = hash(buffer, offset, length) & mask;
        Topic topic;
        while (null != (topic = slots[index]))
        {
            if (matches(topic.nameBytes, buffer, offset, length))
            {
                return topic;
            }
            index = (index + 1) & mask;
        }
        return null;
    }

    Topic get(final String name)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        return get(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    void put(final Topic topic)
    {
        if ((size + 1) * 2 > slots.length)
        {
            final Topic[] old = slots;
            slots = new Topic[old.length * 2];
            size = 0;
            for (final Topic t : old)
            {
                if (null != t)
                {
                    insert(t);
                }
            }
        }
        insert(topic);
    }

    void remove(final Topic topic)
    {
        final int mask = slots.length - 1;
        int index = hash(topic.nameBytes) & mask;
        while (slots[index] != topic)
        {
            if (null == slots[index])
            {
                return;
            }
            index = (index + 1) & mask;
        }
        slots[index] = null;
        size--;
        index = (index + 1) & mask;
        while (null != slots[index])
        {
            final Topic moved = slots[index];
            slots[index] = null;
            size--;
            insert(moved);
            index = (index + 1) & mask;
        }
    }

    void forEach(final Consumer<Topic> consumer)
    {
        for (final Topic topic : slots)
        {
            if (null != topic)
            {
                consumer.accept(topic);
            }
        }
    }

    Topic[] toSortedArray()
    {
        final Topic[] result = new Topic[size];
        int i = 0;
        for (final Topic topic : slots)
        {
            if (null != topic)
            {
                result[i++] = topic;
            }
        }
        Arrays.sort(result, (a, b) -> a.name().compareTo(b.name()));
        return result;
    }

    private void insert(final Topic topic)
    {
        final int mask = slots.length - 1;
        int index = hash(topic.nameBytes) & mask;
        while (null != slots[index])
        {
            index = (index + 1) & mask;
        }
        slots[index] = topic;
        size++;
    }

    private static boolean matches(final byte[] name, final DirectBuffer buffer, final int offset, final int length)
    {
        if (name.length != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (name[i] != buffer.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }

    private static int hash(final DirectBuffer buffer, final int offset, final int length)
    {
        int hash = 0x811c9dc5;
        for (int i = 0; i < length; i++)
        {
            hash = (hash ^ buffer.getByte(offset + i)) * 0x01000193;
        }
        return mix(hash);
    }

    private static int hash(final byte[] bytes)
    {
        int hash = 0x811c9dc5;
        for (final byte b : bytes)
        {
            hash = (hash ^ b) * 0x01000193;
        }
        return mix(hash);
    }

    private static int mix(final int hash)
    {
        return hash ^ (hash >>> 16);
    }
}
