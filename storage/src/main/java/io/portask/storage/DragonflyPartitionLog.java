package io.portask.storage;

import io.portask.protocol.RecordBatch;
import io.portask.protocol.sbe.AckLevel;
import io.portask.storage.spi.PartitionLog;
import io.portask.storage.spi.PartitionLogException;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.MutableLong;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * A partition stored in Dragonfly only, with no local journal. It opens not ready: the write-behind agent reads
 * where the partition's stream ends (asynchronously, never on the core's thread) and then calls {@link #ready};
 * until then requests get a retriable error. An append takes the next offsets, keeps the batch in memory for
 * reads, and copies it into the {@link DragonflyHandoff} ring (claim, copy, commit: nothing allocated); the
 * write-behind agent writes it to the stream and confirms. Only confirmed records are visible:
 * {@link #highWatermark()} is the offset Dragonfly has confirmed up to, and produce acks wait for it
 * ({@link AckPoint#WHEN_VISIBLE}). Older records than memory holds are read back from the stream when a fetch
 * asks for them: the read answers nothing at first and asks the write-behind agent, which reads the stream
 * (asynchronously, off the core thread) and publishes the batches here; the next fetch is served from them.
 * One such read is held per partition, at most one fetch's bytes.
 * <p>
 * Threading: the core agent appends and reads; the write-behind agent readies, confirms and releases.
 */
public final class DragonflyPartitionLog implements PartitionLog
{
    private final String name;
    private final int handle;
    private final RingBuffer handoff;
    private final long maxPendingBytes;
    private final LongFunction<MemoryPartitionLog> memoryAt;
    private final AtomicLong confirmed = new AtomicLong(-1);
    private final AtomicLong appended = new AtomicLong(-1);
    private final AtomicLong releasedBytes = new AtomicLong();
    private volatile String startId;
    private final Queue<DragonflyPartitionLog> olderReads;
    private final AtomicBoolean olderRequested = new AtomicBoolean();
    private volatile Older older;
    private volatile byte[] streamKey;
    private long olderFrom;
    private int olderMaxBytes;
    private MemoryPartitionLog memory;
    private long handedOffBytes;

    /**
     * @param name            topic/partition, for messages.
     * @param handle          the partition's handle in the handoff ring.
     * @param handoff         the ring batches go to the write-behind agent through.
     * @param maxPendingBytes bytes that may wait for Dragonfly before appends are refused.
     * @param memoryAt        makes the empty memory log, starting at the offset given, once the log is ready.
     * @param olderReads      where the log asks for records older than its memory (the write-behind agent reads
     *                        them back from the stream).
     */
    public DragonflyPartitionLog(
        final String name,
        final int handle,
        final RingBuffer handoff,
        final long maxPendingBytes,
        final LongFunction<MemoryPartitionLog> memoryAt,
        final Queue<DragonflyPartitionLog> olderReads)
    {
        this.olderReads = olderReads;
        this.name = name;
        this.handle = handle;
        this.handoff = handoff;
        this.maxPendingBytes = maxPendingBytes;
        this.memoryAt = memoryAt;
    }

    /**
     * Write-behind agent: the stream ends here; the partition may serve from now on.
     *
     * @param nextOffset the offset after the stream's last record.
     * @param lastId     the stream's last entry id, "" when empty.
     */
    public void ready(final long nextOffset, final String lastId)
    {
        startId = lastId;
        appended.setRelease(nextOffset);
        confirmed.setRelease(nextOffset);
    }

    /**
     * {@inheritDoc}
     */
    public boolean isReady()
    {
        if (null != memory)
        {
            return true;
        }
        final long start = confirmed.getAcquire();
        if (start < 0)
        {
            return false;
        }
        memory = memoryAt.apply(start);
        return true;
    }

    /**
     * @return the partition's handle in the handoff ring.
     */
    public int handle()
    {
        return handle;
    }

    /**
     * {@inheritDoc}
     */
    public long append(final MutableDirectBuffer batch, final int offset, final int length)
    {
        if (!isReady())
        {
            throw new PartitionLogException(name + " is not ready: where its stream ends in Dragonfly is being read");
        }
        final long pending = handedOffBytes - releasedBytes.getAcquire();
        final int index = pending + length > maxPendingBytes ? -1 : handoff.tryClaim(handle, length);
        if (index < 0)
        {
            throw new PartitionLogException("Dragonfly is behind on " + name + ": " + pending +
                " bytes wait to be written; retry later");
        }
        final long baseOffset;
        try
        {
            baseOffset = memory.append(batch, offset, length);
        }
        catch (final RuntimeException ex)
        {
            handoff.abort(index);
            throw ex;
        }
        handoff.buffer().putBytes(index, batch, offset, length);
        handoff.commit(index);
        handedOffBytes += length;
        appended.setRelease(baseOffset + RecordBatch.recordCount(batch, offset));
        return baseOffset;
    }

    /**
     * Write-behind agent: the offset after the last record handed over, confirmed or not; -1 before ready.
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
     * Write-behind agent: it no longer holds {@code bytes} of handed-over batches (Dragonfly has them), so as many
     * more may wait.
     *
     * @param bytes released.
     */
    public void release(final long bytes)
    {
        releasedBytes.getAndAdd(bytes);
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
        if (!isReady() || fromOffset >= visible)
        {
            return 0;
        }
        if (fromOffset < memory.logStartOffset())
        {
            return readOlder(fromOffset, maxBytes, dst, dstOffset, dstCapacity);
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
     * Serve from the batches read back from the stream when they hold the offset, else ask for them.
     */
    private int readOlder(
        final long fromOffset, final int maxBytes, final MutableDirectBuffer dst, final int dstOffset,
        final int dstCapacity)
    {
        final Older read = older;
        if (null == read || fromOffset < read.from() || fromOffset >= read.to())
        {
            if (olderRequested.compareAndSet(false, true))
            {
                olderFrom = fromOffset;
                olderMaxBytes = maxBytes;
                olderReads.offer(this);
            }
            return 0;
        }
        final UnsafeBuffer batches = new UnsafeBuffer(read.batches());
        int position = 0;
        while (position < batches.capacity() &&
            RecordBatch.baseOffset(batches, position) + RecordBatch.recordCount(batches, position) <= fromOffset)
        {
            position += RecordBatch.batchLength(batches, position);
        }
        return RecordBatch.copyWhole(batches, position, batches.capacity(), maxBytes, dst, dstOffset, dstCapacity);
    }

    /**
     * Write-behind agent: the stream this partition writes to, for reading back older records.
     *
     * @param key the stream key.
     */
    public void streamKey(final byte[] key)
    {
        streamKey = key;
    }

    /**
     * @return the stream key, null before the write-behind agent opened the partition.
     */
    public byte[] streamKey()
    {
        return streamKey;
    }

    /**
     * @return the offset the outstanding read of older records starts at.
     */
    public long olderFrom()
    {
        return olderFrom;
    }

    /**
     * @return the most bytes the outstanding read of older records wants.
     */
    public int olderMaxBytes()
    {
        return olderMaxBytes;
    }

    /**
     * Write-behind agent (any thread): the batches read back for the outstanding request, concatenated.
     *
     * @param from    base offset of the first batch.
     * @param to      offset after the last.
     * @param batches the batches; empty when the stream holds nothing there.
     */
    public void olderRead(final long from, final long to, final byte[] batches)
    {
        older = new Older(from, to, batches);
        olderRequested.set(false);
    }

    /**
     * Write-behind agent (any thread): the outstanding read failed; the next fetch asks again.
     */
    public void olderFailed()
    {
        olderRequested.set(false);
    }

    private record Older(long from, long to, byte[] batches)
    {
    }

    /**
     * Acks wait for Dragonfly's confirmation whatever the level: it is the only copy.
     */
    public AckPoint ackPoint(final AckLevel level)
    {
        return AckPoint.WHEN_VISIBLE;
    }

    /**
     * Retention of the memory window (Dragonfly's streams are trimmed by the write-behind).
     */
    public int retain(
        final long nowMs, final long retentionMs, final long retentionBytes, final MutableLong bytesDeleted)
    {
        return isReady() ? memory.retain(nowMs, retentionMs, retentionBytes, bytesDeleted) : 0;
    }

    /**
     * The stream keeps every record (Dragonfly-only streams are not trimmed): records before memory's window are
     * read back from it.
     *
     * @return 0.
     */
    public long logStartOffset()
    {
        return 0;
    }

    /**
     * The offset Dragonfly has confirmed up to: records before it are durable and visible. 0 before ready.
     */
    public long highWatermark()
    {
        return Math.max(0, confirmed.getAcquire());
    }

    /**
     * @return the stream's last entry id when the partition became ready ("" when it was empty), null before.
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
        if (null != memory)
        {
            memory.close();
        }
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "DragonflyPartitionLog{" + name + ", confirmed=" + confirmed.get() + ", appended=" + appended.get() +
            "}";
    }
}
