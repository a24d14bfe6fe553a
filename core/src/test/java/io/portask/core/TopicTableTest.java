package io.portask.core;

import io.portask.protocol.sbe.StorageKind;
import io.portask.storage.spi.TopicDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class TopicTableTest
{
    private static Topic topic(final String name)
    {
        return new Topic(new TopicDescriptor(name, 1, StorageKind.MEMORY));
    }

    private static Topic lookup(final TopicTable table, final String name)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[bytes.length + 3]);
        buffer.putBytes(3, bytes);
        return table.get(buffer, 3, bytes.length);
    }

    @Test
    void shouldFindEveryTopicThroughGrowthAndRandomRemovals()
    {
        final TopicTable table = new TopicTable();
        final List<Topic> present = new ArrayList<>();
        for (int i = 0; i < 500; i++)
        {
            final Topic topic = topic("topic-" + i);
            table.put(topic);
            present.add(topic);
        }
        final Random random = new Random(42);
        for (int i = 0; i < 300; i++)
        {
            final Topic removed = present.remove(random.nextInt(present.size()));
            table.remove(removed);
            assertNull(lookup(table, removed.name()));
        }
        assertEquals(present.size(), table.size());
        for (final Topic topic : present)
        {
            assertSame(topic, lookup(table, topic.name()));
        }
        assertNull(lookup(table, "topic-"));
        assertEquals(present.size(), table.toSortedArray().length);
    }
}
