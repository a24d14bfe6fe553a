package io.portask.replication;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * The service's key of a topic-partition ({@code topic/partition}) for a log entry's topic bytes and partition,
 * made once per partition: applying an append looks its key up without building a string. Open addressing over
 * the hash of the bytes and the partition.
 * <p>
 * Threading: the service container's thread only.
 */
final class PartitionKeys
{
    private static final class Entry
    {
        final byte[] topic;
        final int partition;
        final int hash;
        final String key;

        Entry(final byte[] topic, final int partition, final int hash)
        {
            this.topic = topic;
            this.partition = partition;
            this.hash = hash;
            this.key = new String(topic, StandardCharsets.UTF_8) + '/' + partition;
        }

        boolean matches(final DirectBuffer buffer, final int offset, final int length, final int otherPartition)
        {
            if (partition != otherPartition || topic.length != length)
            {
                return false;
            }
            for (int i = 0; i < length; i++)
            {
                if (topic[i] != buffer.getByte(offset + i))
                {
                    return false;
                }
            }
            return true;
        }
    }

    private Entry[] entries = new Entry[64];
    private int size;

    /**
     * @return {@code topic/partition} for the topic's UTF-8 bytes at {@code offset}.
     */
    String key(final DirectBuffer buffer, final int offset, final int length, final int partition)
    {
        int hash = partition;
        for (int i = 0; i < length; i++)
        {
            hash = 31 * hash + buffer.getByte(offset + i);
        }
        final int mask = entries.length - 1;
        int index = mix(hash) & mask;
        Entry entry;
        while (null != (entry = entries[index]))
        {
            if (entry.matches(buffer, offset, length, partition))
            {
                return entry.key;
            }
            index = (index + 1) & mask;
        }
        final byte[] topic = new byte[length];
        buffer.getBytes(offset, topic);
        entry = new Entry(topic, partition, hash);
        entries[index] = entry;
        if (++size * 2 > entries.length)
        {
            grow();
        }
        return entry.key;
    }

    private void grow()
    {
        final Entry[] old = entries;
        entries = new Entry[old.length * 2];
        final int mask = entries.length - 1;
        for (final Entry entry : old)
        {
            if (null != entry)
            {
                int index = mix(entry.hash) & mask;
                while (null != entries[index])
                {
                    index = (index + 1) & mask;
                }
                entries[index] = entry;
            }
        }
    }

    private static int mix(final int hash)
    {
        return hash ^ (hash >>> 16);
    }
}
