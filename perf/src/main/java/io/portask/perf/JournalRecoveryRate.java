package io.portask.perf;

import io.portask.protocol.RecordBatchWriter;
import io.portask.storage.ChronicleJournalLog;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code portask perf recovery [--mib 2048] [--batch-bytes 16384] [--record-bytes 100] [--runs 3]}: how fast a
 * broker start reads a partition's journal through (ADR 0011: every batch CRC-checked, offsets followed). Writes
 * one partition's journal of the given size, closes it, then opens it again and again: cold (its files evicted from
 * the page cache with posix_fadvise DONTNEED, as after a host reboot) and warm (as after a process restart), and
 * once more after zeroing the last 4 KiB written (the recovery cut: the sound entries of the damaged file are
 * copied to a fresh file). Prints MiB/s and batches/s of each open.
 */
public final class JournalRecoveryRate
{
    private static final int POSIX_FADV_DONTNEED = 4;
    private static final int MAX_BATCH = 1024 * 1024;

    private JournalRecoveryRate()
    {
    }

    /**
     * @param args options; see the class comment.
     * @throws Throwable when a run fails.
     */
    public static void main(final String[] args) throws Throwable
    {
        long mib = 2048;
        int batchBytes = 16 * 1024;
        int recordBytes = 100;
        int runs = 3;
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--mib" -> mib = Long.parseLong(args[i + 1]);
                case "--batch-bytes" -> batchBytes = Integer.parseInt(args[i + 1]);
                case "--record-bytes" -> recordBytes = Integer.parseInt(args[i + 1]);
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] +
                    " (--mib, --batch-bytes, --record-bytes, --runs)");
            }
        }
        run(mib, batchBytes, recordBytes, runs, System.out);
        System.exit(0);
    }

    /**
     * Write a journal in a temporary folder, open it as described in the class comment, delete it.
     *
     * @param mib         journal size.
     * @param batchBytes  size of each batch.
     * @param recordBytes size of each record.
     * @param runs        cold and warm opens.
     * @param out         where the lines go.
     * @throws Throwable when a step fails.
     */
    static void run(final long mib, final int batchBytes, final int recordBytes, final int runs,
        final PrintStream out) throws Throwable
    {
        final Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "portask-recovery");
        try
        {
            final long batches = write(dir, mib * 1024 * 1024, batchBytes, recordBytes);
            final long fileBytes = cycleBytes(dir);
            out.printf(Locale.ROOT, "journal: %d batches of ~%d B (%d-byte records), %.0f MiB in %d file(s)" +
                " under %s; %d CPUs, JDK %s%n", batches, batchBytes, recordBytes, fileBytes / 1048576.0,
                cycleFiles(dir).size(), dir, Runtime.getRuntime().availableProcessors(), Runtime.version());
            for (int run = 1; run <= runs; run++)
            {
                evict(dir);
                report(out, "cold open " + run, fileBytes, batches, open(dir));
                report(out, "warm open " + run, fileBytes, batches, open(dir));
            }
            final Path newest = cycleFiles(dir).get(cycleFiles(dir).size() - 1);
            final long end = writtenEnd(newest);
            try (RandomAccessFile file = new RandomAccessFile(newest.toFile(), "rw"))
            {
                file.seek(end - 4096);
                file.write(new byte[4096]);
            }
            evict(dir);
            report(out, "cold open with a damaged tail (cut)", fileBytes, batches, open(dir));
            report(out, "warm open after the cut", fileBytes, batches, open(dir));
        }
        finally
        {
            IoUtil.delete(dir.toFile(), true);
        }
    }

    private static long write(final Path dir, final long bytes, final int batchBytes, final int recordBytes)
    {
        final UnsafeBuffer batch = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_BATCH));
        final UnsafeBuffer value = new UnsafeBuffer(new byte[recordBytes]);
        final RecordBatchWriter writer = new RecordBatchWriter().reset(batch, 0, batch.capacity());
        for (int i = 0; writer.length() + recordBytes + 32 < batchBytes; i++)
        {
            value.putInt(0, i);
            writer.append(1_700_000_000_000L + i, null, 0, 0, value, 0, recordBytes);
        }
        final int length = writer.seal();
        long batches = 0;
        try (ChronicleJournalLog log = ChronicleJournalLog.open(dir.toFile(), "recovery/0", MAX_BATCH, null))
        {
            for (long written = 0; written < bytes; written += length)
            {
                log.append(batch, 0, length);
                batches++;
            }
        }
        return batches;
    }

    private static long open(final Path dir)
    {
        final long start = System.nanoTime();
        try (ChronicleJournalLog log = ChronicleJournalLog.open(dir.toFile(), "recovery/0", MAX_BATCH, null))
        {
            log.highWatermark();
        }
        return System.nanoTime() - start;
    }

    private static void report(
        final PrintStream out, final String what, final long bytes, final long batches, final long nanos)
    {
        final double seconds = nanos / 1e9;
        out.printf(Locale.ROOT, "%-38s %8.0f ms  %7.0f MiB/s  %10.0f batches/s%n", what, nanos / 1e6,
            bytes / 1048576.0 / seconds, batches / seconds);
    }

    private static List<Path> cycleFiles(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(p -> p.toString().endsWith(".cq4")).sorted().toList();
        }
    }

    private static long cycleBytes(final Path dir) throws IOException
    {
        long bytes = 0;
        for (final Path file : cycleFiles(dir))
        {
            bytes += writtenEnd(file);
        }
        return bytes;
    }

    /**
     * @return position after the last non-zero byte of a (sparse, pre-sized) cycle file.
     */
    private static long writtenEnd(final Path file) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r"))
        {
            final byte[] chunk = new byte[1 << 20];
            for (long end = raf.length(); end > 0; )
            {
                final int size = (int)Math.min(chunk.length, end);
                raf.seek(end - size);
                raf.readFully(chunk, 0, size);
                for (int i = size - 1; i >= 0; i--)
                {
                    if (0 != chunk[i])
                    {
                        return end - size + i + 1;
                    }
                }
                end -= size;
            }
            return 0;
        }
    }

    /**
     * Drop the journal's files from the page cache (clean pages only, so after the writer has closed and synced).
     */
    @SuppressWarnings("restricted")
    private static void evict(final Path dir) throws Throwable
    {
        final Linker linker = Linker.nativeLinker();
        final MethodHandle open = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        final MethodHandle fadvise = linker.downcallHandle(linker.defaultLookup().find("posix_fadvise").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        final MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        new ProcessBuilder("sync").inheritIO().start().waitFor();
        try (Arena arena = Arena.ofConfined(); Stream<Path> files = Files.walk(dir))
        {
            for (final Path file : files.filter(Files::isRegularFile).toList())
            {
                final int fd = (int)open.invokeExact(arena.allocateFrom(file.toString()), 0);
                if (fd >= 0)
                {
                    final int ignored = (int)fadvise.invokeExact(fd, 0L, 0L, POSIX_FADV_DONTNEED);
                    final int closed = (int)close.invokeExact(fd);
                }
            }
        }
    }
}
