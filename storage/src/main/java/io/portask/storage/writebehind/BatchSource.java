package io.portask.storage.writebehind;

import org.agrona.MutableDirectBuffer;

/**
 * Where a stream writer takes a partition's batches from: the journal (journal partitions) or the batches handed
 * over by a Dragonfly-only partition.
 * <p>
 * Threading: the write-behind agent only.
 */
interface BatchSource extends AutoCloseable
{
    /**
     * Copy whole batches from the one holding {@code fromOffset}, up to {@code maxBytes} (the first regardless).
     *
     * @return bytes copied, 0 when nothing at or after fromOffset is available yet.
     */
    int read(long fromOffset, int maxBytes, MutableDirectBuffer dst, int dstOffset, int dstCapacity);

    /**
     * @return true when batches before the current position can be read again (a journal), so a stream that lost
     * entries can be rewritten.
     */
    boolean canRewind();

    /**
     * @return the first offset the source still holds: a journal's log start, which retention moves (any thread).
     */
    default long logStartOffset()
    {
        return 0;
    }

    /**
     * Release what the source holds.
     */
    void close();
}
