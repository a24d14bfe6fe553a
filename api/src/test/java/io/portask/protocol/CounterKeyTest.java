package io.portask.protocol;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CounterKeyTest
{
    private final UnsafeBuffer key = new UnsafeBuffer(new byte[CounterKey.MAX_LENGTH]);

    @Test
    void shouldCarryTopicPartitionAndKind()
    {
        final int length = CounterKey.encode(key, "orders", 3, null);
        final UnsafeBuffer read = new UnsafeBuffer(key, 0, length);
        assertEquals("orders", CounterKey.topic(read, "records appended: orders/3"));
        assertEquals(3, CounterKey.partition(read));
        assertNull(CounterKey.kind(read));

        final UnsafeBuffer kind = new UnsafeBuffer(key, 0, CounterKey.encode(key, null, -1, "Produce"));
        assertEquals("Produce", CounterKey.kind(kind));
        assertNull(CounterKey.topic(kind, "requests: Produce"));
        assertEquals(-1, CounterKey.partition(kind));
    }

    @Test
    void shouldTakeATopicTooLongForTheKeyFromTheLabelEnd()
    {
        final String topic = "t".repeat(200) + "é";
        final int length = CounterKey.encode(key, topic, 12, null);
        assertTrue(length <= CounterKey.MAX_LENGTH);
        assertEquals(topic, CounterKey.topic(new UnsafeBuffer(key, 0, length), "records appended: " + topic + "/12"));
    }

    @Test
    void shouldNameEveryTypeAndSayWhichOnlyGrow()
    {
        for (int typeId = CounterIds.CONNECTIONS_ACTIVE; CounterIds.isPortask(typeId); typeId++)
        {
            assertTrue(CounterIds.metricName(typeId).matches("[a-z_]+"), "type " + typeId);
        }
        assertTrue(CounterIds.isMonotonic(CounterIds.RECORDS_APPENDED));
        assertTrue(!CounterIds.isMonotonic(CounterIds.HIGH_WATERMARK));
    }
}
