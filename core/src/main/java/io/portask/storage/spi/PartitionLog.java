package io.portask.storage.spi;

import org.agrona.MutableDirectBuffer;

/**
 * The log of one topic-partition: record batches at dense offsets. Implementations: the Chronicle Queue
 * journal and the memory-only log in portask-storage.
 * <p>
 * Threading: a log has one writer and one reader, the core agent; no method is thread safe. Storage faults
 * (a file that cannot be mapped, a full disk) are thrown as {@link PartitionLogException}; the core answers
 * the request with STORAGE_ERROR and the log is left as it was before the call.
 */
public interface PartitionLog extends AutoCloseable
{
    /**
     * Append one validated batch: assign its base offset (written into the batch in place) and store it.
     *
     * @param batch  holding the batch; its base offset field is overwritten.
     * @param offset where the batch starts.
     * @param length the batch length.
     * @return the base offset assigned.
     */
    long append(MutableDirectBuffer batch, int offset, int length);

    /**
     * Copy whole batches, starting with the one that holds {@code fromOffset}, until the next would pass
     * {@code maxBytes}. The first batch is copied even when larger than maxBytes, if it fits the destination,
     * so that a reader always makes progress.
     *
     * @param fromOffset  first offset wanted, in [{@link #logStartOffset()}, {@link #highWatermark()}).
     * @param maxBytes    soft limit of bytes to copy.
     * @param dst         destination.
     * @param dstOffset   where to copy to.
     * @param dstCapacity hard limit of bytes to copy.
     * @return bytes copied, 0 when fromOffset is the high watermark or the first batch does not fit.
     */
    int read(long fromOffset, int maxBytes, MutableDirectBuffer dst, int dstOffset, int dstCapacity);

    /**
     * @return the first offset still held.
     */
    long logStartOffset();

    /**
     * @return the offset the next appended record will get.
     */
    long highWatermark();

    /**
     * Make everything appended so far survive a power loss. Blocks until the device has it.
     */
    void sync();

    /**
     * Release files and memory. The data stays on disk.
     */
    void close();
}
