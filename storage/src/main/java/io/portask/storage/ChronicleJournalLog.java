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
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;

/**
 * A partition log journaled in one Chronicle Queue. Each excerpt is one record batch followed by a CRC32C
 * (int32, little-endian) of the whole batch, base offset included:
 * <pre>
 *   excerpt = batch (RecordBatch layout, baseOffset assigned) | crc32c(batch)
 * </pre>
 * Offsets are dense, so finding the batch that holds an offset is a search over excerpt indices, done by a
 * {@link JournalCursor}: O(1) at the head and after a sequential read, a binary search otherwise, never a scan
 * from the start. Other threads read through cursors of their own ({@link #newCursor()}).
 * <p>
 * On open the log walks back from the end over any excerpt whose CRC fails (a torn or partly persisted last
 * write) and resumes offsets after the last sound batch; readers skip such excerpts wherever they are, so they
 * are never served. Threading: single writer and reader (the core agent); the first thread to use the log after
 * {@link #open} owns it.
 */
public final class ChronicleJournalLog implements PartitionLog
{
    private final String name;
    private final File directory;
    private final SingleChronicleQueue queue;
    private final int maxBatchLength;
    private final ExcerptAppender appender;
    private final JournalCursor cursor;
    private final PointerBytesStore pointer = new PointerBytesStore();
    private long highWatermark;
    private long logStartOffset;
    private long corruptExcerptsCut;

    private ChronicleJournalLog(
        final String name, final File directory, final SingleChronicleQueue queue, final int maxBatchLength)
    {
        this.name = name;
        this.directory = directory;
        this.queue = queue;
        this.maxBatchLength = maxBatchLength;
        this.appender = queue.createAppender();
        this.appender.singleThreadedCheckDisabled(true);
        this.cursor = new JournalCursor(name, queue, maxBatchLength);
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
        final ChronicleJournalLog log = new ChronicleJournalLog(name, directory, queue, maxBatchLength);
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
        final ExcerptTailer tailer = cursor.tailer();
        final UnsafeBuffer scratch = cursor.scratch();
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
                length = JournalCursor.copyExcerpt(dc, scratch, 0, scratch.capacity());
            }
            if (length > 0)
            {
                final long baseOffset = RecordBatch.baseOffset(scratch, 0);
                cursor.tail(index, baseOffset);
                highWatermark = baseOffset + RecordBatch.recordCount(scratch, 0);
                break;
            }
            corruptExcerptsCut++;
        }
        tailer.direction(TailerDirection.FORWARD).toStart();
        logStartOffset = highWatermark;
        final long first = cursor.baseOffsetAtOrAfter();
        if (!JournalCursor.isMissing(first) && first < highWatermark)
        {
            logStartOffset = first;
        }
    }

    /**
     * @return excerpts found unsound at open, cut from the end of the log.
     */
    public long corruptExcerptsCut()
    {
        return corruptExcerptsCut;
    }

    /**
     * @return the partition's folder.
     */
    public File directory()
    {
        return directory;
    }

    /**
     * A reader of this journal for another thread (the write-behind agent), with a tailer of its own.
     *
     * @return a new cursor; the caller closes it.
     */
    public JournalCursor newCursor()
    {
        return new JournalCursor(name, queue, maxBatchLength);
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
        cursor.tail(appender.lastIndexAppended(), baseOffset);
        highWatermark = baseOffset + RecordBatch.recordCount(batch, offset);
        return baseOffset;
    }

    private MutableDirectBuffer stage(final MutableDirectBuffer batch, final int offset, final int length)
    {
        if (null == batch.byteArray())
        {
            return batch;
        }
        final UnsafeBuffer scratch = cursor.scratch();
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
        return cursor.read(fromOffset, maxBytes, dst, dstOffset, dstCapacity);
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
        net.openhft.chronicle.core.io.Closeable.closeQuietly(cursor, appender, queue);
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "ChronicleJournalLog{" + name + ", start=" + logStartOffset + ", hwm=" + highWatermark + "}";
    }
}
