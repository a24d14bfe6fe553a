package io.portask.storage;

import io.portask.protocol.RecordReader;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damage to a journal's files, as a failing disk or a careless operator would do it: recovery must find the last
 * sound batch, cut what follows, keep the high watermark equal to what reads serve, and never hand out an offset
 * that still holds a record.
 */
class JournalDamageTest
{
    private static final int BATCHES = 200;
    private static final int RECORDS_PER_BATCH = 10;
    private static final long FIVE_MINUTES_MS = 5 * 60 * 1000L;

    @TempDir
    File dir;

    private final TestBatches batches = new TestBatches();
    private final UnsafeBuffer dst = new UnsafeBuffer(ByteBuffer.allocateDirect(1024 * 1024));
    private final SetTimeProvider clock = new SetTimeProvider(java.time.Instant.ofEpochMilli(1_700_000_000_000L));
    private ChronicleJournalLog log;

    @AfterEach
    void close()
    {
        if (null != log)
        {
            log.close();
        }
    }

    private ChronicleJournalLog open()
    {
        log = ChronicleJournalLog.open(dir, "t/0", 1024 * 1024, RollCycles.FIVE_MINUTELY, clock, Runnable::run);
        return log;
    }

    private void writeBatches(final int from, final int count)
    {
        for (int b = from; b < from + count; b++)
        {
            log.append(batches.buffer(), 0, batches.batch("b" + b, RECORDS_PER_BATCH));
        }
    }

    private void writeAndClose()
    {
        open();
        writeBatches(0, BATCHES);
        assertEquals(BATCHES * RECORDS_PER_BATCH, log.highWatermark());
        log.close();
    }

    @Test
    void shouldCutAZeroedTail() throws IOException
    {
        writeAndClose();
        final Path file = newestCycleFile();
        final long end = writtenEnd(file);
        overwrite(file, end - 4096, new byte[4096]);
        assertRecoversCutTail(recordsBefore(4096));
    }

    @Test
    void shouldCutGarbageAtTheTail() throws IOException
    {
        writeAndClose();
        final Path file = newestCycleFile();
        final long end = writtenEnd(file);
        final byte[] garbage = new byte[4096];
        new Random(42).nextBytes(garbage);
        overwrite(file, end - 4096, garbage);
        assertRecoversCutTail(recordsBefore(4096));
    }

    @Test
    void shouldCutAnEntryWhoseHeaderIsZeroed() throws IOException
    {
        writeAndClose();
        final Path file = newestCycleFile();
        overwrite(file, headerOf(file, 190), new byte[4]);
        assertRecoversCutTail(1900);
    }

    @Test
    void shouldCutAFileCutMidEntry() throws IOException
    {
        writeAndClose();
        final Path file = newestCycleFile();
        final long at = indexOf(file, "b195-5");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(at);
        }
        assertRecoversCutTail(1950);
    }

    @Test
    void shouldCutAtDamageInAnEarlierCycleAndSetLaterCyclesAside() throws IOException
    {
        open();
        for (int cycle = 0; cycle < 3; cycle++)
        {
            writeBatches(cycle * 50, 50);
            clock.advanceMillis(FIVE_MINUTES_MS);
        }
        assertEquals(1500, log.highWatermark());
        log.close();
        final Path middle = cycleFiles().get(1);
        overwrite(middle, writtenEnd(middle) - 2048, new byte[2048]);

        open();
        final long hwm = log.highWatermark();
        assertTrue(hwm >= 500 && hwm < 1000, "cut inside the middle cycle, hwm " + hwm);
        assertDenseAndIntact(hwm);
        assertTrue(log.corruptExcerptsCut() > 0);
        assertTrue(Files.isDirectory(dir.toPath().resolve("damaged")), "later cycles set aside, not deleted");
        assertAppendsContinueAndSurviveReopen(hwm);
    }

    @Test
    void shouldLeaveASoundJournalAlone()
    {
        writeAndClose();
        open();
        assertEquals(BATCHES * RECORDS_PER_BATCH, log.highWatermark());
        assertEquals(0, log.corruptExcerptsCut());
        assertDenseAndIntact(BATCHES * RECORDS_PER_BATCH);
    }

    /**
     * @return records of the batches that lie wholly before the last {@code damagedBytes} of the journal.
     */
    private long recordsBefore(final int damagedBytes)
    {
        final int excerptBytes = 4 + batches.batch("b" + (BATCHES - 1), RECORDS_PER_BATCH) + 4;
        return (long)(BATCHES - damagedBytes / excerptBytes - 2) * RECORDS_PER_BATCH;
    }

    private void assertRecoversCutTail(final long atLeast)
    {
        open();
        final long hwm = log.highWatermark();
        assertTrue(hwm >= atLeast && hwm < BATCHES * RECORDS_PER_BATCH, "hwm " + hwm + ", expected >= " + atLeast);
        assertEquals(0, hwm % RECORDS_PER_BATCH, "cut at a batch boundary");
        assertTrue(log.corruptExcerptsCut() > 0, "the cut is counted");
        assertDenseAndIntact(hwm);
        assertAppendsContinueAndSurviveReopen(hwm);
    }

    private void assertAppendsContinueAndSurviveReopen(final long hwm)
    {
        assertEquals(hwm, log.append(batches.buffer(), 0, batches.batch("fresh", 2)));
        assertEquals(hwm + 2, log.highWatermark());
        assertEquals(List.of(hwm + "=fresh-0", (hwm + 1) + "=fresh-1"), values(hwm));
        log.close();
        open();
        assertEquals(hwm + 2, log.highWatermark());
        assertEquals(0, log.corruptExcerptsCut(), "a repaired journal opens clean");
        assertEquals(List.of(hwm + "=fresh-0", (hwm + 1) + "=fresh-1"), values(hwm));
        assertDenseAndIntact(hwm);
    }

    /**
     * Every offset below hwm is served once, in order, with the value it was written with; nothing above it.
     */
    private void assertDenseAndIntact(final long hwm)
    {
        long expected = 0;
        while (expected < hwm)
        {
            final int length = log.read(expected, 64 * 1024, dst, 0, dst.capacity());
            assertTrue(length > 0, "nothing served at " + expected + " below hwm " + hwm);
            final RecordReader reader = new RecordReader().wrap(dst, 0, length);
            while (reader.next() && reader.offset() < hwm)
            {
                if (reader.offset() < expected)
                {
                    continue;
                }
                assertEquals(expected, reader.offset());
                final long batch = expected / RECORDS_PER_BATCH;
                final long index = expected % RECORDS_PER_BATCH;
                final String value = new String(reader.value(), StandardCharsets.UTF_8);
                if (!value.startsWith("fresh"))
                {
                    assertEquals("b" + batch + "-" + index, value, "offset " + expected);
                }
                expected++;
            }
        }
        assertEquals(hwm, expected);
        assertEquals(0, log.read(hwm + 2, 64 * 1024, dst, 0, dst.capacity()), "nothing beyond the log");
    }

    private List<String> values(final long from)
    {
        final int length = log.read(from, 1 << 20, dst, 0, dst.capacity());
        final RecordReader reader = new RecordReader().wrap(dst, 0, length);
        final java.util.ArrayList<String> values = new java.util.ArrayList<>();
        while (reader.next())
        {
            if (reader.offset() >= from)
            {
                values.add(reader.offset() + "=" + new String(reader.value(), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private List<Path> cycleFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(dir.toPath()))
        {
            return files.filter(p -> p.toString().endsWith(".cq4")).sorted().toList();
        }
    }

    private Path newestCycleFile() throws IOException
    {
        final List<Path> files = cycleFiles();
        return files.get(files.size() - 1);
    }

    /**
     * @return position after the last non-zero byte: the end of what was written.
     */
    static long writtenEnd(final Path file) throws IOException
    {
        final byte[] content = Files.readAllBytes(file);
        int end = content.length;
        while (end > 0 && 0 == content[end - 1])
        {
            end--;
        }
        return end;
    }

    static void overwrite(final Path file, final long position, final byte[] bytes) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(position);
            raf.write(bytes);
        }
    }

    private static long indexOf(final Path file, final String marker) throws IOException
    {
        return found(indexOf(Files.readAllBytes(file), marker.getBytes(StandardCharsets.UTF_8)));
    }

    private static long found(final long position)
    {
        assertTrue(position >= 0, "not found in the journal");
        return position;
    }

    /**
     * @return where needle first stands in content, or -1.
     */
    static long indexOf(final byte[] content, final byte[] needle)
    {
        outer:
        for (int i = 0; i <= content.length - needle.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (content[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * @return the position of the Chronicle excerpt header (int32 before the excerpt) of the batch written as
     *     {@code "b" + batch} at offset {@code batch * RECORDS_PER_BATCH}.
     */
    private long headerOf(final Path file, final int batch) throws IOException
    {
        final int length = batches.batch("b" + batch, RECORDS_PER_BATCH);
        io.portask.protocol.RecordBatch.baseOffset(batches.buffer(), 0, (long)batch * RECORDS_PER_BATCH);
        final byte[] needle = new byte[length];
        batches.buffer().getBytes(0, needle);
        return found(indexOf(Files.readAllBytes(file), needle)) - 4;
    }

}
