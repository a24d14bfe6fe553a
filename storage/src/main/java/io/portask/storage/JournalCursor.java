package io.portask.storage;

import io.portask.protocol.Frame;
import io.portask.protocol.RecordBatch;
import io.portask.storage.spi.PartitionLogException;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.text.ParseException;

/**
 * A reader of one partition's journal with its own Chronicle tailer: finds the batch that holds an offset and
 * copies whole, sound batches from there. The journal log keeps one for fetches; the write-behind agent opens
 * another on its own thread. Finding an offset: the tail (when the owner reports it) and the position after the
 * last read are O(1); anything else is a galloping binary search inside the roll cycle chosen by each cycle's
 * first batch. Excerpts whose CRC fails are skipped, and a batch that does not continue the offsets already
 * copied is skipped too, so a cut excerpt is never served.
 * <p>
 * Threading: one thread at a time; it may change hands (Chronicle's thread check is off for the tailer).
 */
public final class JournalCursor implements AutoCloseable
{
    /** Bytes after each batch in an excerpt: CRC-32C of the batch. */
    static final int TRAILER_LENGTH = 4;
    private static final long MISSING = Long.MIN_VALUE;

    private final String name;
    private final SingleChronicleQueue queue;
    private final RollCycle rollCycle;
    private final ExcerptTailer tailer;
    private final UnsafeBuffer scratch;
    private long tailIndex = -1;
    private long tailBaseOffset = -1;
    private long cursorIndex = -1;
    private long cursorNextOffset = -1;
    private long corruptExcerptsSkipped;

    JournalCursor(final String name, final SingleChronicleQueue queue, final int maxBatchLength)
    {
        this.name = name;
        this.queue = queue;
        this.rollCycle = queue.rollCycle();
        this.tailer = queue.createTailer();
        this.tailer.singleThreadedCheckDisabled(true);
        this.scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            BitUtil.align(maxBatchLength + TRAILER_LENGTH, 64), 64));
    }

    ExcerptTailer tailer()
    {
        return tailer;
    }

    UnsafeBuffer scratch()
    {
        return scratch;
    }

    /**
     * Tell the cursor where the newest batch is, so reads at the head need no search.
     *
     * @param index      its excerpt index.
     * @param baseOffset its base offset.
     */
    void tail(final long index, final long baseOffset)
    {
        tailIndex = index;
        tailBaseOffset = baseOffset;
    }

    /**
     * Copy whole batches, starting with the one that holds {@code fromOffset}, until the next would pass
     * {@code maxBytes} (the first is copied regardless, if it fits {@code dstCapacity}).
     *
     * @param fromOffset  first offset wanted; must be held by the journal.
     * @param limitOffset batches at or above this offset are not read (the owner's high watermark).
     * @param maxBytes    soft limit.
     * @param dst         destination.
     * @param dstOffset   where to copy to.
     * @param dstCapacity hard limit.
     * @return bytes copied; 0 when nothing at or after fromOffset is in the journal yet.
     */
    public int read(
        final long fromOffset,
        final long limitOffset,
        final int maxBytes,
        final MutableDirectBuffer dst,
        final int dstOffset,
        final int dstCapacity)
    {
        position(fromOffset);
        int written = 0;
        long nextOffset = -1;
        while (true)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    break;
                }
                final Bytes<?> bytes = dc.wire().bytes();
                final long entryLength = bytes.readRemaining() - TRAILER_LENGTH;
                if (entryLength >= RecordBatch.HEADER_LENGTH &&
                    bytes.readLong(bytes.readPosition() + RecordBatch.BASE_OFFSET_OFFSET) >= limitOffset)
                {
                    dc.rollbackOnClose();
                    break;
                }
                if (written > 0 && written + entryLength > maxBytes || written + entryLength > dstCapacity)
                {
                    dc.rollbackOnClose();
                    break;
                }
                final int length = copyExcerpt(dc, dst, dstOffset + written, dstCapacity - written);
                if (length <= 0)
                {
                    corruptExcerptsSkipped++;
                    continue;
                }
                final long base = RecordBatch.baseOffset(dst, dstOffset + written);
                final long next = base + RecordBatch.recordCount(dst, dstOffset + written);
                if (next <= fromOffset || (nextOffset >= 0 && base != nextOffset))
                {
                    continue;
                }
                written += length;
                nextOffset = next;
            }
        }
        if (nextOffset >= 0)
        {
            cursorIndex = tailer.index();
            cursorNextOffset = nextOffset;
        }
        return written;
    }

    /**
     * @return excerpts skipped by reads because their CRC failed.
     */
    public long corruptExcerptsSkipped()
    {
        return corruptExcerptsSkipped;
    }

    private void position(final long offset)
    {
        if (tailIndex >= 0 && offset >= tailBaseOffset && tailer.moveToIndex(tailIndex))
        {
            return;
        }
        if (offset == cursorNextOffset && tailer.moveToIndex(cursorIndex))
        {
            return;
        }
        int cycle = queue.lastCycle();
        while (true)
        {
            tailer.moveToCycle(cycle);
            final long first = baseOffsetAtOrAfter();
            if (MISSING != first && first <= offset)
            {
                break;
            }
            final int previous = previousCycle(cycle);
            if (previous < 0)
            {
                tailer.toStart();
                return;
            }
            cycle = previous;
        }
        final long index = rollCycle.toIndex(cycle, searchCycle(cycle, offset));
        if (!tailer.moveToIndex(index))
        {
            throw new PartitionLogException("journal index " + Long.toHexString(index) + " of " + name + " missing");
        }
    }

    private long searchCycle(final int cycle, final long offset)
    {
        long low = 0;
        long high;
        long step = 1;
        while (true)
        {
            final long base = baseOffsetAt(cycle, low + step);
            if (MISSING == base || base > offset)
            {
                high = low + step;
                break;
            }
            low += step;
            step <<= 1;
        }
        while (high - low > 1)
        {
            final long mid = (low + high) >>> 1;
            final long base = baseOffsetAt(cycle, mid);
            if (MISSING != base && base <= offset)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    private long baseOffsetAt(final int cycle, final long sequence)
    {
        if (!tailer.moveToIndex(rollCycle.toIndex(cycle, sequence)))
        {
            return MISSING;
        }
        return baseOffsetAtOrAfter();
    }

    /**
     * @return base offset of the first sound batch at or after the tailer's position, or MISSING.
     */
    long baseOffsetAtOrAfter()
    {
        while (true)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    return MISSING;
                }
                if (copyExcerpt(dc, scratch, 0, scratch.capacity()) > 0)
                {
                    return RecordBatch.baseOffset(scratch, 0);
                }
            }
        }
    }

    static boolean isMissing(final long baseOffset)
    {
        return MISSING == baseOffset;
    }

    private int previousCycle(final int cycle)
    {
        try
        {
            return cycle <= queue.firstCycle() ? -1 : queue.nextCycle(cycle, TailerDirection.BACKWARD);
        }
        catch (final ParseException ex)
        {
            throw new PartitionLogException("cannot list journal cycles of " + name, ex);
        }
    }

    /**
     * Copy the current excerpt's batch into dst and check it.
     *
     * @return the batch length, or -1 when the excerpt is unsound or does not fit.
     */
    static int copyExcerpt(
        final DocumentContext dc, final MutableDirectBuffer dst, final int dstOffset, final int capacity)
    {
        final Bytes<?> bytes = dc.wire().bytes();
        final long position = bytes.readPosition();
        final long length = bytes.readRemaining() - TRAILER_LENGTH;
        if (length < RecordBatch.HEADER_LENGTH || length > capacity)
        {
            return -1;
        }
        final int batchLength = (int)length;
        final byte[] array = dst.byteArray();
        if (null == array)
        {
            bytes.nativeRead(position, dst.addressOffset() + dstOffset, batchLength);
        }
        else
        {
            bytes.read(position, array, (int)(dst.addressOffset() - BufferUtil.ARRAY_BASE_OFFSET) + dstOffset,
                batchLength);
        }
        final int storedCrc = bytes.readInt(position + batchLength);
        if (storedCrc != Frame.crc32c(dst, dstOffset, batchLength) ||
            RecordBatch.batchLength(dst, dstOffset) != batchLength)
        {
            return -1;
        }
        return batchLength;
    }

    /**
     * Release the tailer.
     */
    public void close()
    {
        tailer.close();
    }
}
