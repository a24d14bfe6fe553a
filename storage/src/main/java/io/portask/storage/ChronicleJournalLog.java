package io.portask.storage;

import io.portask.log.PartitionLog;
import io.portask.log.PartitionLogException;
import io.portask.protocol.Frame;
import io.portask.protocol.RecordBatch;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.PointerBytesStore;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.text.ParseException;

/**
 * A partition log journaled in one Chronicle Queue. Each excerpt is one record batch followed by a CRC32C
 * (int32, little-endian) of the whole batch, base offset included:
 * <pre>
 *   excerpt = batch (RecordBatch layout, baseOffset assigned) | crc32c(batch)
 * </pre>
 * Offsets are dense, so finding the batch that holds an offset is a search over excerpt indices: the tail and
 * the position after the last read are cached (the common cases, O(1)), anything else is a galloping binary
 * search within the roll cycle found by each cycle's first batch, never a scan from the start.
 * <p>
 * On open the log walks back from the end over any excerpt whose CRC fails (a torn or partly persisted last
 * write) and resumes offsets after the last sound batch; readers skip such excerpts wherever they are, so they
 * are never served. Threading: single writer and reader (the core agent); the first thread to use the log after
 * {@link #open} owns it.
 */
public final class ChronicleJournalLog implements PartitionLog
{
    private static final int TRAILER_LENGTH = 4;
    private static final long MISSING = Long.MIN_VALUE;

    private final String name;
    private final SingleChronicleQueue queue;
    private final RollCycle rollCycle;
    private final ExcerptAppender appender;
    private final ExcerptTailer tailer;
    private final PointerBytesStore pointer = new PointerBytesStore();
    private final UnsafeBuffer scratch;
    private long highWatermark;
    private long logStartOffset;
    private long lastIndex = -1;
    private long lastBaseOffset = -1;
    private long cursorIndex = -1;
    private long cursorNextOffset = -1;
    private long skippedCorruptExcerpts;

    private ChronicleJournalLog(final String name, final SingleChronicleQueue queue, final int maxBatchLength)
    {
        this.name = name;
        this.queue = queue;
        this.rollCycle = queue.rollCycle();
        this.appender = queue.createAppender();
        this.tailer = queue.createTailer();
        this.appender.singleThreadedCheckDisabled(true);
        this.tailer.singleThreadedCheckDisabled(true);
        this.scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            org.agrona.BitUtil.align(maxBatchLength + TRAILER_LENGTH, 64), 64));
    }

    /**
     * Open, or create, the journal in a folder and recover its offsets.
     *
     * @param directory      the partition's folder.
     * @param name           topic/partition, for messages.
     * @param maxBatchLength largest batch that can be appended.
     * @param rollCycle      how often a new journal file starts; null for daily.
     * @return the open log.
     */
    public static ChronicleJournalLog open(
        final File directory, final String name, final int maxBatchLength, final RollCycle rollCycle)
    {
        return open(directory, name, maxBatchLength, rollCycle, SystemTimeProvider.INSTANCE);
    }

    static ChronicleJournalLog open(
        final File directory,
        final String name,
        final int maxBatchLength,
        final RollCycle rollCycle,
        final TimeProvider timeProvider)
    {
        final SingleChronicleQueue queue;
        try
        {
            queue = SingleChronicleQueueBuilder.single(directory)
                .rollCycle(null == rollCycle ? RollCycles.FAST_DAILY : rollCycle)
                .timeProvider(timeProvider)
                .build();
        }
        catch (final RuntimeException ex)
        {
            throw new PartitionLogException("cannot open journal of " + name + " in " + directory, ex);
        }
        final ChronicleJournalLog log = new ChronicleJournalLog(name, queue, maxBatchLength);
        try
        {
            log.recover();
        }
        catch (final RuntimeException ex)
        {
            log.close();
            throw new PartitionLogException("cannot recover journal of " + name + " in " + directory, ex);
        }
        return log;
    }

    private void recover()
    {
        tailer.direction(TailerDirection.BACKWARD).toEnd();
        while (true)
        {
            final long index;
            final int length;
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    break;
                }
                index = dc.index();
                length = copyExcerpt(dc, scratch, 0, scratch.capacity());
            }
            if (length > 0)
            {
                lastIndex = index;
                lastBaseOffset = RecordBatch.baseOffset(scratch, 0);
                highWatermark = lastBaseOffset + RecordBatch.recordCount(scratch, 0);
                break;
            }
            skippedCorruptExcerpts++;
        }
        tailer.direction(TailerDirection.FORWARD).toStart();
        logStartOffset = highWatermark;
        final long first = baseOffsetAtOrAfter(tailer);
        if (MISSING != first && first < highWatermark)
        {
            logStartOffset = first;
        }
    }

    /**
     * @return excerpts found unsound at open, cut from the end of the log.
     */
    public long corruptExcerptsCut()
    {
        return skippedCorruptExcerpts;
    }

    /**
     * {@inheritDoc}
     */
    public long append(final MutableDirectBuffer batch, final int offset, final int length)
    {
        final long baseOffset = highWatermark;
        RecordBatch.baseOffset(batch, offset, baseOffset);
        final int crc = Frame.crc32c(batch, offset, length);
        final MutableDirectBuffer source = stage(batch, offset, length);
        final int sourceOffset = source == batch ? offset : 0;
        try (DocumentContext dc = appender.writingDocument())
        {
            try
            {
                pointer.set(source.addressOffset() + sourceOffset, length);
                final Bytes<?> bytes = dc.wire().bytes();
                bytes.write(pointer, 0L, (long)length);
                bytes.writeInt(crc);
            }
            catch (final RuntimeException ex)
            {
                dc.rollbackOnClose();
                throw new PartitionLogException("append to journal of " + name + " failed", ex);
            }
        }
        lastIndex = appender.lastIndexAppended();
        lastBaseOffset = baseOffset;
        highWatermark = baseOffset + RecordBatch.recordCount(batch, offset);
        return baseOffset;
    }

    private MutableDirectBuffer stage(final MutableDirectBuffer batch, final int offset, final int length)
    {
        if (null == batch.byteArray())
        {
            return batch;
        }
        scratch.putBytes(0, batch, offset, length);
        return scratch;
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
        if (fromOffset >= highWatermark || fromOffset < logStartOffset)
        {
            return 0;
        }
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
                final long entryLength = dc.wire().bytes().readRemaining() - TRAILER_LENGTH;
                if (written > 0 && written + entryLength > maxBytes || written + entryLength > dstCapacity)
                {
                    dc.rollbackOnClose();
                    break;
                }
                final int length = copyExcerpt(dc, dst, dstOffset + written, dstCapacity - written);
                if (length <= 0)
                {
                    skippedCorruptExcerpts++;
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

    private void position(final long offset)
    {
        if (lastIndex >= 0 && offset >= lastBaseOffset)
        {
            moveTo(lastIndex);
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
            final long first = baseOffsetAtOrAfter(tailer);
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
        moveTo(rollCycle.toIndex(cycle, searchCycle(cycle, offset)));
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
        return baseOffsetAtOrAfter(tailer);
    }

    private long baseOffsetAtOrAfter(final ExcerptTailer tailer)
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

    private void moveTo(final long index)
    {
        if (!tailer.moveToIndex(index))
        {
            throw new PartitionLogException("journal index " + Long.toHexString(index) + " of " + name + " missing");
        }
    }

    /**
     * Copy the current excerpt's batch into dst and check it.
     *
     * @return the batch length, or -1 when the excerpt is unsound or does not fit.
     */
    private static int copyExcerpt(
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
     * {@inheritDoc}
     */
    public long logStartOffset()
    {
        return logStartOffset;
    }

    /**
     * {@inheritDoc}
     */
    public long highWatermark()
    {
        return highWatermark;
    }

    /**
     * {@inheritDoc}
     */
    public void sync()
    {
        try
        {
            appender.sync();
        }
        catch (final RuntimeException ex)
        {
            throw new PartitionLogException("sync of journal of " + name + " failed", ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        net.openhft.chronicle.core.io.Closeable.closeQuietly(tailer, appender, queue);
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "ChronicleJournalLog{" + name + ", start=" + logStartOffset + ", hwm=" + highWatermark + "}";
    }
}
