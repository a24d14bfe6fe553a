package io.portask.storage;

import io.portask.protocol.RecordBatchWriter;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.agrona.collections.MutableLong;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retention on a real journal with a five-minute roll cycle and a settable clock: whole cycle files go once every
 * batch in them is past retention.ms, or while the rest still hold retention.bytes, oldest first, never the file
 * being written; the log start moves at once, the files are deleted off the caller's thread, and a reopen (as
 * after a crash at any point of it) finds the same log start with offsets continuing.
 */
class JournalRetentionTest
{
    private static final long FIVE_MINUTES = 5 * 60 * 1000L;
    private static final int CYCLES = 4;
    private static final int BATCHES_PER_CYCLE = 5;
    private static final int RECORDS_PER_BATCH = 3;

    @TempDir
    File dir;

    private final SetTimeProvider clock = new SetTimeProvider(1_800_000_000_000L);
    private final UnsafeBuffer batch = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
    private final UnsafeBuffer dst = new UnsafeBuffer(ByteBuffer.allocateDirect(1024 * 1024));
    private final ExecutorService deleter = Executors.newSingleThreadExecutor();
    private ChronicleJournalLog log;

    @AfterEach
    void close()
    {
        deleter.shutdownNow();
        if (null != log)
        {
            log.close();
        }
    }

    private ChronicleJournalLog open()
    {
        log = ChronicleJournalLog.open(dir, "t/0", 1024 * 1024, RollCycles.FIVE_MINUTELY, clock, deleter);
        return log;
    }

    /**
     * Four cycles of five batches of three records, each batch stamped with the clock, five minutes apart.
     */
    private void fillCycles()
    {
        for (int cycle = 0; cycle < CYCLES; cycle++)
        {
            for (int b = 0; b < BATCHES_PER_CYCLE; b++)
            {
                append("c" + cycle + "b" + b);
            }
            clock.advanceMillis(FIVE_MINUTES);
        }
    }

    private void append(final String prefix)
    {
        final RecordBatchWriter writer = new RecordBatchWriter().reset(batch, 0, batch.capacity());
        for (int r = 0; r < RECORDS_PER_BATCH; r++)
        {
            writer.append(clock.currentTimeMillis(), null, (prefix + "-" + r).getBytes(StandardCharsets.UTF_8));
        }
        log.append(batch, 0, writer.seal());
    }

    @Test
    void shouldDropWholeCycleFilesPastRetentionMsAndKeepTheLogStartAcrossAReopen() throws Exception
    {
        open();
        fillCycles();
        final long perCycle = BATCHES_PER_CYCLE * RECORDS_PER_BATCH;
        assertEquals(CYCLES, cycleFiles().size());
        final MutableLong bytes = new MutableLong();

        assertEquals(0, log.retain(clock.currentTimeMillis(), 60 * 60 * 1000L, Long.MAX_VALUE, bytes),
            "everything is younger than an hour");
        final int dropped = log.retain(clock.currentTimeMillis(), 2 * FIVE_MINUTES + 1000, Long.MAX_VALUE, bytes);
        assertEquals(2, dropped, "the two cycles whose newest batch is over ten minutes old");
        assertEquals(2 * perCycle, log.logStartOffset());
        assertTrue(bytes.get() > 0);
        awaitFiles(CYCLES - 2);
        assertEquals(0, log.read(0, 1024, dst, 0, dst.capacity()), "nothing below the log start");
        assertTrue(values(2 * perCycle).get(0).startsWith("c2b0-0"));

        log.close();
        open();
        assertEquals(2 * perCycle, log.logStartOffset(), "the log start is where the first file left starts");
        assertEquals(CYCLES * perCycle, log.highWatermark());
        append("after");
        assertEquals(CYCLES * perCycle + RECORDS_PER_BATCH, log.highWatermark());

        clock.advanceMillis(24 * 60 * 60 * 1000L);
        assertEquals(2, log.retain(clock.currentTimeMillis(), 1, Long.MAX_VALUE, bytes),
            "cycles 2 and 3, never the file being written (the append after the reopen), however old");
        assertEquals(CYCLES * perCycle, log.logStartOffset());
        awaitFiles(1);
    }

    @Test
    void shouldDropTheOldestWhileTheRestStillHoldRetentionBytes() throws Exception
    {
        open();
        fillCycles();
        final long perCycle = BATCHES_PER_CYCLE * RECORDS_PER_BATCH;
        final long cycleBytes = new JournalProbe(log).bytesOfFirstCycle();
        final MutableLong bytes = new MutableLong();
        assertEquals(1, log.retain(clock.currentTimeMillis(), Long.MAX_VALUE, 3 * cycleBytes, bytes));
        assertEquals(perCycle, log.logStartOffset());
        assertEquals(cycleBytes, bytes.get());
        assertEquals(2, log.retain(clock.currentTimeMillis(), Long.MAX_VALUE, 1, bytes));
        assertEquals(3 * perCycle, log.logStartOffset());
        awaitFiles(1);
    }

    private void awaitFiles(final int count) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cycleFiles().size() != count && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
        assertEquals(count, cycleFiles().size(), "cycle files left: " + cycleFiles());
    }

    private List<Path> cycleFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(dir.toPath()))
        {
            return files.filter(p -> p.toString().endsWith(".cq4")).sorted().toList();
        }
    }

    private List<String> values(final long from)
    {
        final int length = log.read(from, 1024, dst, 0, dst.capacity());
        final List<String> values = new ArrayList<>();
        final io.portask.protocol.RecordReader reader = new io.portask.protocol.RecordReader().wrap(dst, 0, length);
        while (reader.next())
        {
            values.add(new String(reader.value(), StandardCharsets.UTF_8));
        }
        return values;
    }

    /** Bytes retention counts for one cycle of this test: every batch is the same size. */
    private record JournalProbe(ChronicleJournalLog log)
    {
        long bytesOfFirstCycle()
        {
            final UnsafeBuffer one = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
            final int length = log.read(0, 1, one, 0, one.capacity());
            return (long)length * BATCHES_PER_CYCLE;
        }
    }
}
