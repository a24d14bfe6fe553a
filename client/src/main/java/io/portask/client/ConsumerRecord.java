package io.portask.client;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A record read from a partition.
 *
 * @param topic       topic name.
 * @param partition   partition index.
 * @param offset      the record's offset.
 * @param timestampMs epoch ms the producer stamped.
 * @param key         key bytes or null.
 * @param value       value bytes or null.
 * @param headers     headers, possibly empty.
 */
public record ConsumerRecord(
    String topic, int partition, long offset, long timestampMs, byte[] key, byte[] value, List<Header> headers)
{
    /**
     * @return the value as UTF-8 text, or null.
     */
    public String valueAsString()
    {
        return null == value ? null : new String(value, StandardCharsets.UTF_8);
    }

    /**
     * @return the key as UTF-8 text, or null.
     */
    public String keyAsString()
    {
        return null == key ? null : new String(key, StandardCharsets.UTF_8);
    }
}
