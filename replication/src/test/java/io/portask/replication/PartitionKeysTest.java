package io.portask.replication;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A topic-partition's key is made once and found again from the entry's bytes, however many there are.
 */
class PartitionKeysTest
{
    @Test
    void shouldMakeEachKeyOnceAndFindItFromTheBytes()
    {
        final PartitionKeys keys = new PartitionKeys();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final String[] made = new String[600];
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < made.length; i++)
            {
                final String topic = "topic-" + (i % 3) + "-é";
                final int length = buffer.putStringWithoutLengthUtf8(7, topic);
                final String key = keys.key(buffer, 7, length, i / 3);
                assertEquals(topic + "/" + (i / 3), key);
                if (0 == round)
                {
                    made[i] = key;
                }
                else
                {
                    assertSame(made[i], key, "found again, not made again");
                }
            }
        }
        final byte[] other = "topic-1-xx".getBytes(StandardCharsets.UTF_8);
        buffer.putBytes(0, other);
        assertEquals("topic-1-xx/0", keys.key(buffer, 0, other.length, 0), "same length, other bytes");
    }
}
