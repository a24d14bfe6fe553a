package io.portask.storage;

import io.portask.protocol.Frame;
import io.portask.protocol.RecordBatch;
import io.portask.storage.spi.PartitionLogException;
import net.openhft.chronicle.bytes.PointerBytesStore;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Finds the sound part of a journal at open and cuts the rest. The journal is read forward from its first
 * excerpt: the sound chain is every batch whose CRC holds and whose base offset continues the previous one (an
 * unsound excerpt followed by one that continues the chain is a torn write that was already cut and is skipped,
 * as readers skip it). The chain ends at the first batch that does not continue it, at unsound excerpts with
 * nothing sound after them, or where Chronicle cannot read on (a zeroed header, a file cut short): anything the
 * files hold past that point, in the same roll-cycle file (its store header says where the last write went) or
 * in a later one, is damage.
 * <p>
 * A damaged journal is repaired before it is used, never read around: the sound excerpts of the cycle where the
 * chain ends are copied into a fresh cycle file, and the damaged file with every later one is moved to
 * {@code damaged/} in the partition's folder (kept for an operator, not deleted). Offsets then resume after the
 * last sound batch, so the high watermark is exactly what reads serve and no offset that still holds a record is
 * handed out again.
 * <p>
 * Cost: one sequential read of the whole journal, CRC-checked, at each open. Threading: the opening thread.
 */
final class JournalRecovery
{
    private static final String DAMAGED_FOLDER = "damaged";
    private static final long NONE = -1;

    private JournalRecovery()
    {
    }

    /**
     * What a scan found.
     *
     * @param logStartOffset  base offset of the first sound batch (equals highWatermark when there is none).
     * @param highWatermark   offset after the last batch of the sound chain.
     * @param tailIndex       excerpt index of the chain's last batch, or -1.
     * @param tailBaseOffset  its base offset, or -1.
     * @param damaged         whether anything follows the chain.
     * @param excerptsCut     excerpts readable after the chain (unsound or not continuing it).
     * @param highestOffset   highest offset any readable batch past the chain claims, or -1 when none is readable.
     */
    record Scan(
        long logStartOffset,
        long highWatermark,
        long tailIndex,
        long tailBaseOffset,
        boolean damaged,
        long excerptsCut,
        long highestOffset)
    {
    }

    /**
     * What a repair cut.
     *
     * @param fromOffset    first offset cut (the new high watermark).
     * @param toOffset      offset after the highest one a readable cut batch claimed, or -1 when none was readable.
     * @param excerptsCut   excerpts readable in what was cut.
     * @param bytes         bytes of written data set aside.
     * @param damagedFolder where the damaged files went.
     */
    record Cut(long fromOffset, long toOffset, long excerptsCut, long bytes, Path damagedFolder)
    {
        /**
         * @return a line for the broker's log and the error log.
         */
        String describe(final String name)
        {
            final String range = toOffset > fromOffset ?
                "offsets [" + fromOffset + ", " + toOffset + ")" : "offsets from " + fromOffset + " on (unreadable)";
            return "journal of " + name + " damaged at its tail: cut " + range + ", " + excerptsCut +
                " unsound or discontinuous excerpt(s) read, " + bytes + " bytes of written data; the damaged " +
                "files are kept in " + damagedFolder;
        }
    }

    /**
     * Read the journal forward and find its sound chain.
     *
     * @param queue   the journal.
     * @param tailer  a tailer of it; left at an unspecified position.
     * @param scratch  room for the largest batch.
     * @param segments  receives every batch of the sound chain, for retention.
     * @param producers receives every batch of the sound chain, for idempotent producers' state.
     * @return what was found.
     */
    static Scan scan(
        final SingleChronicleQueue queue, final ExcerptTailer tailer, final UnsafeBuffer scratch,
        final JournalSegments segments, final RecoveredProducers producers)
    {
        tailer.direction(TailerDirection.FORWARD).toStart();
        long logStart = NONE;
        long next = 0;
        long tailIndex = NONE;
        long tailBase = NONE;
        long tailHeaderPosition = NONE;
        long unsoundSinceTail = 0;
        long cutExcerpts = 0;
        long highest = NONE;
        boolean broken = false;
        while (true)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    break;
                }
                final long headerPosition = dc.wire().bytes().readPosition() - 4;
                final int length = JournalCursor.copyExcerpt(dc, scratch, 0, scratch.capacity());
                if (length <= 0)
                {
                    unsoundSinceTail++;
                    continue;
                }
                final long base = RecordBatch.baseOffset(scratch, 0);
                final long end = base + RecordBatch.recordCount(scratch, 0);
                if (broken || (NONE != tailIndex && base != next))
                {
                    broken = true;
                    cutExcerpts++;
                    highest = Math.max(highest, end);
                    continue;
                }
                if (NONE == logStart)
                {
                    logStart = base;
                }
                tailIndex = dc.index();
                segments.onBatch(queue.rollCycle().toCycle(tailIndex), base,
                    scratch.getLong(RecordBatch.FIRST_TIMESTAMP_OFFSET, Frame.BYTE_ORDER), length);
                producers.onBatch(scratch, 0);
                tailBase = base;
                tailHeaderPosition = headerPosition;
                next = end;
                unsoundSinceTail = 0;
            }
        }
        cutExcerpts += unsoundSinceTail;
        final boolean damaged = cutExcerpts > 0 || writtenPastTail(queue, tailIndex, tailHeaderPosition);
        return new Scan(NONE == logStart ? next : logStart, next, tailIndex, tailBase, damaged, cutExcerpts, highest);
    }

    /**
     * Whether the files hold writes past the chain's last batch: a later cycle file, or a store header whose write
     * position lies beyond that batch (with no chain at all: any write in the first cycle).
     */
    private static boolean writtenPastTail(
        final SingleChronicleQueue queue, final long tailIndex, final long tailHeaderPosition)
    {
        final int lastCycle = queue.lastCycle();
        if (NONE == tailIndex)
        {
            return lastCycle != Integer.MIN_VALUE &&
                fromStore(queue, queue.firstCycle(), SingleChronicleQueueStore::writePosition, 0L) > 0;
        }
        final int tailCycle = queue.rollCycle().toCycle(tailIndex);
        return lastCycle > tailCycle ||
            fromStore(queue, tailCycle, SingleChronicleQueueStore::writePosition, NONE) > tailHeaderPosition;
    }

    /**
     * @return what {@code read} finds in a cycle's store, or {@code absent} when the cycle has no file.
     */
    private static <T> T fromStore(
        final SingleChronicleQueue queue,
        final int cycle,
        final Function<SingleChronicleQueueStore, T> read,
        final T absent)
    {
        final SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
        if (null == store)
        {
            return absent;
        }
        try
        {
            return read.apply(store);
        }
        finally
        {
            queue.closeStore(store);
        }
    }

    /**
     * Cut a damaged journal after its sound chain: rewrite the chain's part of the cycle where it ends into a
     * fresh file and move that cycle's file and every later one to {@code damaged/}. The queue must be closed
     * by the caller afterwards and opened again; this method reads it and then touches only files.
     *
     * @param queue     the open, damaged journal.
     * @param tailer    a tailer of it.
     * @param scratch   room for the largest batch.
     * @param scan      what {@link #scan} found.
     * @param directory the journal's folder.
     * @return what was cut.
     */
    static Cut cut(
        final SingleChronicleQueue queue,
        final ExcerptTailer tailer,
        final UnsafeBuffer scratch,
        final Scan scan,
        final File directory)
    {
        final RollCycle rollCycle = queue.rollCycle();
        final int cutCycle = NONE == scan.tailIndex() ? queue.firstCycle() : rollCycle.toCycle(scan.tailIndex());
        final Path dir = directory.toPath();
        final Path damaged = dir.resolve(DAMAGED_FOLDER).resolve(Long.toString(System.currentTimeMillis()));
        final Path rewrite = dir.resolve("repair.tmp");
        try
        {
            DiskBrokerStore.deleteRecursively(rewrite);
            final String firstCut = fromStore(queue, cutCycle, store -> store.file().getName(), null);
            if (null == firstCut)
            {
                throw new PartitionLogException("journal cycle " + cutCycle + " in " + directory + " missing");
            }
            Files.createDirectories(damaged);
            final boolean rewritten = NONE != scan.tailIndex();
            long bytes = 0;
            if (rewritten)
            {
                copyChain(queue, tailer, scratch, cutCycle, scan.tailIndex(), rewrite);
                bytes = replaceKeepingOriginal(dir.resolve(firstCut), rewrite.resolve(firstCut), damaged);
            }
            // a crash from here on leaves a journal whose next open cuts at the same place again
            for (final Path file : cycleFiles(dir))
            {
                final int order = file.getFileName().toString().compareTo(firstCut);
                if (order > 0 || (0 == order && !rewritten))
                {
                    bytes += writtenBytes(file);
                    Files.move(file, damaged.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
                }
            }
            DiskBrokerStore.deleteRecursively(rewrite);
            return new Cut(scan.highWatermark(), scan.highestOffset(), scan.excerptsCut(), bytes, damaged);
        }
        catch (final IOException ex)
        {
            throw new PartitionLogException("cannot cut the damaged journal in " + directory, ex);
        }
    }

    private static void copyChain(
        final SingleChronicleQueue queue,
        final ExcerptTailer tailer,
        final UnsafeBuffer scratch,
        final int cycle,
        final long lastIndex,
        final Path into)
    {
        final RollCycle rollCycle = queue.rollCycle();
        final PointerBytesStore pointer = new PointerBytesStore();
        final SetTimeProvider clock = new SetTimeProvider(
            Instant.ofEpochMilli(queue.epoch() + (long)cycle * rollCycle.lengthInMillis()));
        try (SingleChronicleQueue copy = SingleChronicleQueueBuilder.single(into.toFile())
            .rollCycle(rollCycle)
            .epoch(queue.epoch())
            .timeProvider(clock)
            .build();
            ExcerptAppender appender = copy.createAppender())
        {
            tailer.direction(TailerDirection.FORWARD).moveToCycle(cycle);
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent() || dc.index() > lastIndex)
                    {
                        break;
                    }
                    final int length = JournalCursor.copyExcerpt(dc, scratch, 0, scratch.capacity());
                    if (length <= 0)
                    {
                        continue;
                    }
                    try (DocumentContext out = appender.writingDocument())
                    {
                        pointer.set(scratch.addressOffset(), length);
                        out.wire().bytes().write(pointer, 0L, (long)length).writeInt(
                            dc.wire().bytes().readInt(dc.wire().bytes().readPosition() + length));
                    }
                }
            }
        }
    }

    /**
     * Put the rewritten cycle file in place of the damaged one in one atomic rename, after keeping the damaged
     * one under {@code damaged/} through a hard link (a copy where links are not allowed) and syncing the new
     * one: at every moment the folder holds either the damaged file (the next open cuts again) or the sound one.
     *
     * @return bytes of written data the damaged file held beyond the rewritten one.
     */
    private static long replaceKeepingOriginal(final Path damagedFile, final Path rewritten, final Path damaged)
        throws IOException
    {
        final Path kept = damaged.resolve(damagedFile.getFileName());
        try
        {
            Files.createLink(kept, damagedFile);
        }
        catch (final UnsupportedOperationException | IOException ex)
        {
            Files.copy(damagedFile, kept, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel channel = FileChannel.open(rewritten, StandardOpenOption.WRITE))
        {
            channel.force(true);
        }
        final long bytes = writtenBytes(damagedFile) - writtenBytes(rewritten);
        Files.move(rewritten, damagedFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return Math.max(0, bytes);
    }

    private static java.util.List<Path> cycleFiles(final Path dir) throws IOException
    {
        if (!Files.isDirectory(dir))
        {
            return java.util.List.of();
        }
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().toList();
        }
    }

    /**
     * @return the position after the last non-zero byte of a (sparse, preallocated) journal file.
     */
    private static long writtenBytes(final Path file) throws IOException
    {
        final byte[] chunk = new byte[1 << 20];
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r"))
        {
            long end = raf.length();
            while (end > 0)
            {
                final int length = (int)Math.min(chunk.length, end);
                raf.seek(end - length);
                raf.readFully(chunk, 0, length);
                for (int i = length - 1; i >= 0; i--)
                {
                    if (0 != chunk[i])
                    {
                        return end - length + i + 1;
                    }
                }
                end -= length;
            }
            return 0;
        }
    }
}
