package io.portask.storage;

import io.portask.protocol.Frame;
import io.portask.protocol.RecordBatch;
import io.portask.storage.spi.PartitionLog;
import io.portask.storage.spi.PartitionLogException;
import io.portask.storage.spi.ProducerBatchVisitor;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.PointerBytesStore;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.MutableLong;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.Executor;

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
 * On open, {@link JournalRecovery} reads the journal through, cuts a damaged tail (a torn or partly persisted
 * last write, zeroed or garbled bytes, a file cut short) and resumes offsets after the last sound batch; reads
 * never serve a batch at or above the high watermark, and skip excerpts whose CRC fails.
 * <p>
 * Retention ({@link #retain}) drops whole roll-cycle files, oldest first, never the one being written: the log start
 * moves to the next file's first offset at once, and the file is deleted by the deleter (off the owner's thread).
 * A restart finds the log start again from the first file left, so it survives a crash mid-deletion.
 * Threading: single writer and reader (the core agent); the first thread to use the log after {@link #open} owns
 * it. {@link #logStartOffset()} may be read from any thread (the write-behind's).
 */
public final class ChronicleJournalLog implements PartitionLog
{
    private static final Logger LOG = LoggerFactory.getLogger(ChronicleJournalLog.class);

    private final String name;
    private final File directory;
    private final SingleChronicleQueue queue;
    private final int maxBatchLength;
    private final ExcerptAppender appender;
    private final JournalCursor cursor;
    private final PointerBytesStore pointer = new PointerBytesStore();
    private final JournalRecovery.Cut cutAtOpen;
    private final long corruptExcerptsCut;
    private final JournalSegments segments;
    private final RecoveredProducers recoveredProducers;
    private final Executor deleter;
    private long highWatermark;
    private volatile long logStartOffset;

    private ChronicleJournalLog(
        final String name,
        final File directory,
        final SingleChronicleQueue queue,
        final JournalCursor cursor,
        final int maxBatchLength,
        final JournalRecovery.Scan scan,
        final JournalRecovery.Cut cutAtOpen,
        final JournalSegments segments,
        final RecoveredProducers recoveredProducers,
        final Executor deleter)
    {
        this.segments = segments;
        this.recoveredProducers = recoveredProducers;
        this.deleter = deleter;
        this.name = name;
        this.directory = directory;
        this.queue = queue;
        this.maxBatchLength = maxBatchLength;
        this.cursor = cursor;
        this.appender = queue.createAppender();
        this.appender.singleThreadedCheckDisabled(true);
        this.cutAtOpen = cutAtOpen;
        this.corruptExcerptsCut = null == cutAtOpen ? 0 : Math.max(1, cutAtOpen.excerptsCut());
        this.highWatermark = scan.highWatermark();
        this.logStartOffset = scan.logStartOffset();
        if (scan.tailIndex() >= 0)
        {
            cursor.tail(scan.tailIndex(), scan.tailBaseOffset());
        }
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
        return open(directory, name, maxBatchLength, rollCycle, SystemTimeProvider.INSTANCE, Runnable::run);
    }

    /**
     * Open, or create, the journal in a folder and recover its offsets.
     *
     * @param directory      the partition's folder.
     * @param name           topic/partition, for messages.
     * @param maxBatchLength largest batch that can be appended.
     * @param rollCycle      how often a new journal file starts; null for daily.
     * @param timeProvider   Chronicle's clock, which decides the roll cycle of an append.
     * @param deleter        runs the deletion of files that retention dropped (a background thread).
     * @return the open log.
     */
    public static ChronicleJournalLog open(
        final File directory,
        final String name,
        final int maxBatchLength,
        final RollCycle rollCycle,
        final TimeProvider timeProvider,
        final Executor deleter)
    {
        final RollCycle cycle = null == rollCycle ? RollCycles.FAST_DAILY : rollCycle;
        SingleChronicleQueue queue = build(directory, name, cycle, timeProvider);
        JournalCursor cursor = null;
        try
        {
            cursor = new JournalCursor(name, queue, maxBatchLength);
            JournalSegments segments = new JournalSegments();
            RecoveredProducers producers = new RecoveredProducers();
            JournalRecovery.Scan scan =
                JournalRecovery.scan(queue, cursor.tailer(), cursor.scratch(), segments, producers);
            JournalRecovery.Cut cut = null;
            if (scan.damaged())
            {
                cut = JournalRecovery.cut(queue, cursor.tailer(), cursor.scratch(), scan, directory);
                net.openhft.chronicle.core.io.Closeable.closeQuietly(cursor, queue);
                queue = build(directory, name, cycle, timeProvider);
                queue.refreshDirectoryListing();
                cursor = new JournalCursor(name, queue, maxBatchLength);
                segments = new JournalSegments();
                producers = new RecoveredProducers();
                scan = JournalRecovery.scan(queue, cursor.tailer(), cursor.scratch(), segments, producers);
                if (scan.damaged())
                {
                    throw new PartitionLogException("journal of " + name + " is still damaged after the cut");
                }
            }
            return new ChronicleJournalLog(
                name, directory, queue, cursor, maxBatchLength, scan, cut, segments, producers, deleter);
        }
        catch (final RuntimeException ex)
        {
            net.openhft.chronicle.core.io.Closeable.closeQuietly(cursor, queue);
            throw ex instanceof PartitionLogException ? ex :
                new PartitionLogException("cannot recover journal of " + name + " in " + directory, ex);
        }
    }

    private static SingleChronicleQueue build(
        final File directory, final String name, final RollCycle rollCycle, final TimeProvider timeProvider)
    {
        try
        {
            return SingleChronicleQueueBuilder.single(directory)
                .rollCycle(rollCycle)
                .timeProvider(timeProvider)
                .build();
        }
        catch (final RuntimeException ex)
        {
            throw new PartitionLogException("cannot open journal of " + name + " in " + directory, ex);
        }
    }

    /**
     * @return what recovery cut from a damaged tail at open, or null when the journal was sound.
     */
    JournalRecovery.Cut cutAtOpen()
    {
        return cutAtOpen;
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
        final long index = appender.lastIndexAppended();
        cursor.tail(index, baseOffset);
        segments.onBatch(queue.rollCycle().toCycle(index), baseOffset,
            batch.getLong(offset + RecordBatch.FIRST_TIMESTAMP_OFFSET, Frame.BYTE_ORDER), length);
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
        return cursor.read(fromOffset, highWatermark, maxBytes, dst, dstOffset, dstCapacity);
    }

    /**
     * {@inheritDoc}
     */
    public void replayProducerBatches(final ProducerBatchVisitor visitor)
    {
        recoveredProducers.replay(visitor);
    }

    /**
     * {@inheritDoc}
     */
    public int retain(
        final long nowMs, final long retentionMs, final long retentionBytes, final MutableLong bytesDeleted)
    {
        int dropped = 0;
        while (segments.size() > 1)
        {
            final JournalSegments.Segment oldest = segments.oldest();
            final boolean expired = Long.MAX_VALUE != retentionMs && oldest.newestTimestampMs < nowMs - retentionMs;
            final boolean oversize = Long.MAX_VALUE != retentionBytes &&
                segments.totalBytes() - oldest.bytes >= retentionBytes;
            if (!expired && !oversize)
            {
                break;
            }
            segments.removeOldest();
            logStartOffset = segments.oldest().firstOffset;
            bytesDeleted.set(bytesDeleted.get() + oldest.bytes);
            final File file = CycleFiles.of(queue, directory, oldest.cycle);
            deleter.execute(() -> delete(file));
            dropped++;
        }
        return dropped;
    }

    private void delete(final File file)
    {
        try
        {
            Files.deleteIfExists(file.toPath());
            queue.refreshDirectoryListing();
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.warn("retention could not delete {} of {}: {}", file, name, ex.toString());
        }
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
