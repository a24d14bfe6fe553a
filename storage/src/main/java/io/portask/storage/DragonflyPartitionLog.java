package io.portask.storage;

import io.portask.protocol.RecordBatch;
import io.portask.protocol.sbe.AckLevel;
import io.portask.storage.spi.PartitionLog;
import io.portask.storage.spi.PartitionLogException;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A partition stored in Dragonfly only, with no local journal. An append takes the next offsets, keeps the batch
 * in memory for reads, and hands a copy to the write-behind agent through a bounded queue; the agent writes it to
 * the partition's stream and confirms. Only confirmed records are visible: {@link #highWatermark()} is the
 * offset Dragonfly has confirmed up to, so reads never serve a record Dragonfly does not hold, and the core
 * answers produce acks once the watermark passes them. Older records than memory holds are in Dragonfly only.
 * <p>
 * Threading: the core agent appends and reads; the write-behind agent takes batches and confirms.
 */
public final class DragonflyPartitionLog implements PartitionLog
{
    /** A batch on its way to Dragonfly: its bytes, base offset assigned. */
    public record PendingBatch(long baseOffset, int recordCount, byte[] bytes)
    {
    }

    private final String name;
    private final MemoryPartitionLog memory;
    private final OneToOneConcurrentArrayQueue<PendingBatch> toWrite;
    private final AtomicLong confirmed;
    private final AtomicLong appended;
    private final String startId;

    /**
     * @param name        topic/partition, for messages.
     * @param memory      an empty memory log starting at {@code startOffset}.
     * @param startOffset where the partition's stream in Dragonfly ends: the next offset.
     * @param startId     the stream's last entry id ("" when empty).
     * @param capacity    batches that may wait for Dragonfly before appends are refused.
     */
    public DragonflyPartitionLog(
        final String name,
        final MemoryPartitionLog memory,
        final long startOffset,
        final String startId,
        final int capacity)
    {
        this.name = name;
        this.memory = memory;
        this.startId = startId;
        this.toWrite = new OneToOneConcurrentArrayQueue<>(capacity);
        this.confirmed = new AtomicLong(startOffset);
        this.appended = new AtomicLong(startOffset);
    }

    /**
     * {@inheritDoc}
     */
    public long append(final MutableDirectBuffer batch, final int offset, final int length)
    {
        if (0 == toWrite.remainingCapacity())
        {
            throw new PartitionLogException("Dragonfly is behind on " + name + ": " + toWrite.size() +
                " batches wait to be written; retry later");
        }
        final long baseOffset = memory.append(batch, offset, length);
        final byte[] bytes = new byte[length];
        batch.getBytes(offset, bytes);
        final int recordCount = RecordBatch.recordCount(batch, offset);
        toWrite.offer(new PendingBatch(baseOffset, recordCount, bytes));
        appended.setRelease(baseOffset + recordCount);
        return baseOffset;
    }

    /**
     * Write-behind agent: the next batch to write, or null.
     *
     * @return the oldest batch not yet taken.
     */
    public PendingBatch poll()
    {
        return toWrite.poll();
    }

    /**
     * Write-behind agent: the offset after the last record handed over, confirmed or not.
     *
     * @return the next offset an append will take.
     */
    public long appendedNext()
    {
        return appended.getAcquire();
    }

    /**
     * Write-behind agent: Dragonfly holds every record before {@code nextOffset}.
     *
     * @param nextOffset the offset after the last confirmed record.
     */
    public void confirm(final long nextOffset)
    {
        confirmed.setRelease(nextOffset);
    }

    /**
     * {@inheritDoc}
     */
    public int read(
        final long fromOffset,
        final int maxBytes,
        final MutableDirectBuffer dst,
        final int dstOffset,
        final int dstCapacity)
    {
        final long visible = confirmed.getAcquire();
        if (fromOffset >= visible)
        {
            return 0;
        }
        final int length = memory.read(fromOffset, maxBytes, dst, dstOffset, dstCapacity);
        int kept = 0;
        while (kept < length && RecordBatch.baseOffset(dst, dstOffset + kept) < visible)
        {
            kept += RecordBatch.batchLength(dst, dstOffset + kept);
        }
        return kept;
    }

    /**
     * Acks wait for Dragonfly's confirmation whatever the level: it is the only copy.
     */
    public AckPoint ackPoint(final AckLevel level)
    {
        return AckPoint.WHEN_VISIBLE;
    }

    /**
     * Older records than memory holds are in Dragonfly only.
     */
    public String evictedMessage(final long offset)
    {
        return "offset " + offset + " of Dragonfly-only " + name + " was evicted from memory; the oldest held is " +
            logStartOffset() + " (older records are in Dragonfly: read them there)";
    }

    /**
     * {@inheritDoc}
     */
    public long logStartOffset()
    {
        return Math.min(memory.logStartOffset(), confirmed.getAcquire());
    }

    /**
     * The offset Dragonfly has confirmed up to: records before it are durable and visible.
     */
    public long highWatermark()
    {
        return confirmed.getAcquire();
    }

    /**
     * @return the stream's last entry id when the partition opened, "" when it was empty.
     */
    public String startId()
    {
        return startId;
    }

    /**
     * Nothing to flush locally: durability is Dragonfly's confirmation.
     */
    public void sync()
    {
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        memory.close();
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "DragonflyPartitionLog{" + name + ", confirmed=" + confirmed.get() + ", waiting=" + toWrite.size() +
            "}";
    }
}
