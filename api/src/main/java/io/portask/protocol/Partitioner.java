package io.portask.protocol;

/**
 * Where a keyed record goes: {@code (crc32c(key) & 0x7fffffff) % partitions}. One formula for every producer
 * (the Java SDK, the gateway's HTTP publish, other-language clients per docs/protocol.md), so a key lands on the
 * same partition whoever sends it. Stateless; any thread.
 */
public final class Partitioner
{
    private Partitioner()
    {
    }

    /**
     * @param key        key bytes.
     * @param partitions partition count, at least 1.
     * @return the key's partition.
     */
    public static int partition(final byte[] key, final int partitions)
    {
        return (Frame.crc32c(key, 0, key.length) & 0x7fffffff) % partitions;
    }
}
