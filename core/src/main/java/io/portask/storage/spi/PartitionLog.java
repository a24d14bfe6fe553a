package io.portask.storage.spi;

import io.portask.protocol.sbe.AckLevel;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.MutableLong;

/**
 * The log of one topic-partition: record batches at dense offsets. Implementations: the Chronicle Queue
 * journal and the memory-only log in portask-storage.
 * <p>
 * Threading: a log has one writer and one reader, the core agent; no method is thread safe. Storage faults
 * (a file that cannot be mapped, a full disk, a partition not ready yet) are thrown as
 * {@link PartitionLogException}; the core answers the request with STORAGE_ERROR (retriable) and the log is left
 * as it was before the call. No method blocks on the network.
 */
public interface PartitionLog extends AutoCloseable
{
    /**
     * When the core may answer a produce at an ack level: the log's side of the ack contract (ADR 0013).
     */
    enum AckPoint
    {
        /** As soon as {@link #append} returns: the level is met by the append itself. */
        NOW,
        /** After the next {@link #sync()}, which the core group-commits once per duty cycle. */
        AFTER_SYNC,
        /** When {@link #highWatermark()} passes the records: the log's storage confirmed them. */
        WHEN_VISIBLE
    }

    /**
     * The ack contract: what an append must wait for before a produce at {@code level} is answered. A local log
     * meets every level but {@code SYNC} when the append returns; a log whose records count only once remote
     * storage confirms them answers {@link AckPoint#WHEN_VISIBLE}.
     *
     * @param level the produce's ack level, not NONE (never answered).
     * @return when to answer.
     */
    default AckPoint ackPoint(final AckLevel level)
    {
        return AckLevel.SYNC == level ? AckPoint.AFTER_SYNC : AckPoint.NOW;
    }

    /**
     * Whether the log can serve requests yet. A log that opens without blocking on the network (a Dragonfly-only
     * partition learning where its stream ends) is not ready at first; the core answers its requests with a
     * retriable STORAGE_ERROR until it is. A log never becomes unready again.
     *
     * @return true once the log serves appends and reads.
     */
    default boolean isReady()
    {
        return true;
    }

    /**
     * Why an offset before {@link #logStartOffset()} is gone, for the OFFSET_OUT_OF_RANGE answer to a read of it.
     *
     * @param offset an offset below the log start.
     * @return the explanation, naming the partition, when the log evicts records to stay within memory; null when
     * the log simply starts later (the generic out-of-range answer then applies).
     */
    default String evictedMessage(final long offset)
    {
        return null;
    }

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
     * Apply retention: drop whole segments (journal roll-cycle files, memory segments) that hold only records
     * older than {@code retentionMs}, and the oldest while the rest still hold {@code retentionBytes}, never the
     * segment being written. The log start moves to the first record kept; file deletion happens off the caller's
     * thread. The default keeps everything.
     *
     * @param nowMs          the time, epoch ms.
     * @param retentionMs    how long records are kept; {@link Long#MAX_VALUE} for ever.
     * @param retentionBytes how many bytes are kept at least; {@link Long#MAX_VALUE} for no limit.
     * @param bytesDeleted   incremented by the bytes dropped.
     * @return segments dropped.
     */
    default int retain(final long nowMs, final long retentionMs, final long retentionBytes,
        final MutableLong bytesDeleted)
    {
        return 0;
    }

    /**
     * Replay the idempotent producers' batches found when the log was opened (the last few of each producer, oldest
     * first), once; a log that keeps nothing across a restart has none.
     *
     * @param visitor receives each batch.
     */
    default void replayProducerBatches(final ProducerBatchVisitor visitor)
    {
    }

    /**
     * Make everything appended so far survive a power loss. Blocks until the device has it.
     */
    void sync();

    /**
     * Release files and memory. The data stays on disk.
     */
    void close();
}
