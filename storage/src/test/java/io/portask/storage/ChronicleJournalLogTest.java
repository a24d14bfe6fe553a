package io.portask.storage;

import io.portask.protocol.ErrorCode;
import io.portask.protocol.RecordBatch;
import io.portask.protocol.RecordReader;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
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

import static org.junit.jupiter.api.Assertions.assertEquals;

class ChronicleJournalLogTest
{
    @TempDir
    File dir;

    private final TestBatches batches = new TestBatches();
    private final UnsafeBuffer dst = new UnsafeBuffer(ByteBuffer.allocateDirect(1024 * 1024));
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
        log = ChronicleJournalLog.open(dir, "t/0", 1024 * 1024, null);
        return log;
    }

    private void appendBatches(final int batchCount, final int recordsPerBatch)
    {
        for (int b = 0; b < batchCount; b++)
        {
            final int length = batches.batch("b" + b, recordsPerBatch);
            assertEquals((long)b * recordsPerBatch, log.append(batches.buffer(), 0, length));
        }
    }

    private List<String> readValues(final long from, final int maxBytes)
    {
        final int length = log.read(from, maxBytes, dst, 0, dst.capacity());
        final List<String> values = new ArrayList<>();
        final RecordReader reader = new RecordReader().wrap(dst, 0, length);
        while (reader.next())
        {
            if (reader.offset() >= from)
            {
                values.add(reader.offset() + "=" + new String(reader.value(), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    @Test
    void shouldAssignDenseOffsetsAndReadFromAnyOffset()
    {
        open();
        appendBatches(300, 3);
        assertEquals(900, log.highWatermark());
        assertEquals(0, log.logStartOffset());
        for (final long from : new long[]{ 0, 1, 2, 3, 299, 450, 451, 452, 897, 899 })
        {
            final List<String> values = readValues(from, 64);
            final long batch = from / 3;
            assertEquals(from + "=b" + batch + "-" + (from % 3), values.get(0), "from " + from);
        }
        assertEquals(0, log.read(900, 64, dst, 0, dst.capacity()));
    }

    @Test
    void shouldStopAtMaxBytesButAlwaysReturnOneBatch()
    {
        open();
        appendBatches(10, 5);
        final int one = log.read(0, 1, dst, 0, dst.capacity());
        final RecordBatch batch = new RecordBatch().wrap(dst, 0, one);
        assertEquals(ErrorCode.NONE, batch.validate());
        assertEquals(5, batch.recordCount());
        final int all = log.read(0, Integer.MAX_VALUE, dst, 0, dst.capacity());
        assertEquals(10 * one, all);
        assertEquals(3 * one, log.read(5, 3 * one, dst, 0, dst.capacity()));
    }

    @Test
    void shouldReadSequentiallyAfterAppendsInterleaved()
    {
        open();
        long next = 0;
        for (int i = 0; i < 50; i++)
        {
            final int length = batches.batch("x" + i, 2);
            log.append(batches.buffer(), 0, length);
            final List<String> values = readValues(next, 1 << 20);
            assertEquals(2, values.size());
            next += 2;
        }
    }

    @Test
    void shouldRecoverOffsetsAfterReopen()
    {
        open();
        appendBatches(20, 4);
        log.close();
        open();
        assertEquals(80, log.highWatermark());
        assertEquals(List.of("40=b10-0", "41=b10-1"), readValues(40, 1).subList(0, 2));
        final int length = batches.batch("after", 1);
        assertEquals(80, log.append(batches.buffer(), 0, length));
    }

    @Test
    void shouldCutCorruptLastEntryAndNeverServeIt() throws IOException
    {
        open();
        appendBatches(5, 2);
        final int length = batches.batch("TORN-MARKER", 3);
        log.append(batches.buffer(), 0, length);
        assertEquals(13, log.highWatermark());
        log.close();

        flipByteAfter("TORN-MARKER-1");
        open();
        assertEquals(10, log.highWatermark());
        assertEquals(1, log.corruptExcerptsCut());
        assertEquals(List.of("8=b4-0", "9=b4-1"), readValues(8, 1 << 20));

        final int replacement = batches.batch("fresh", 2);
        assertEquals(10, log.append(batches.buffer(), 0, replacement));
        assertEquals(List.of("8=b4-0", "9=b4-1", "10=fresh-0", "11=fresh-1"), readValues(8, 1 << 20));
        assertEquals(List.of("10=fresh-0", "11=fresh-1"), readValues(10, 1 << 20));

        log.close();
        open();
        assertEquals(12, log.highWatermark());
        assertEquals(List.of("10=fresh-0", "11=fresh-1"), readValues(10, 1 << 20));
    }

    @Test
    void shouldAppendFromHeapBuffers()
    {
        open();
        final int length = batches.batch("heap", 2);
        final byte[] copy = new byte[length];
        batches.buffer().getBytes(0, copy);
        assertEquals(0, log.append(new UnsafeBuffer(copy), 0, length));
        assertEquals(List.of("0=heap-0", "1=heap-1"), readValues(0, 1 << 20));
    }

    @Test
    void shouldSyncWithoutError()
    {
        open();
        appendBatches(3, 1);
        log.sync();
        assertEquals(3, log.highWatermark());
    }

    @Test
    void shouldFindOffsetsAcrossRollCycles()
    {
        final SetTimeProvider clock = new SetTimeProvider(System.currentTimeMillis());
        log = ChronicleJournalLog.open(dir, "t/0", 1024 * 1024, RollCycles.FIVE_MINUTELY, clock, Runnable::run);
        for (int cycle = 0; cycle < 5; cycle++)
        {
            for (int b = 0; b < 7; b++)
            {
                log.append(batches.buffer(), 0, batches.batch("c" + cycle + "b" + b, 2));
            }
            clock.advanceMillis(5 * 60 * 1000);
        }
        assertEquals(70, log.highWatermark());
        for (long from = 0; from < 70; from += 3)
        {
            final long cycle = from / 14;
            final long batch = from % 14 / 2;
            assertEquals(from + "=c" + cycle + "b" + batch + "-" + (from % 2), readValues(from, 1).get(0));
        }
        assertEquals(70, readValues(0, Integer.MAX_VALUE).size());
        log.close();
        log = ChronicleJournalLog.open(dir, "t/0", 1024 * 1024, RollCycles.FIVE_MINUTELY, clock, Runnable::run);
        assertEquals(70, log.highWatermark());
        assertEquals("29=c2b0-1", readValues(29, 1).get(0));
    }

    private void flipByteAfter(final String marker) throws IOException
    {
        final byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
        try (var files = Files.list(dir.toPath()))
        {
            for (final Path file : files.filter(p -> p.toString().endsWith(".cq4")).toList())
            {
                final byte[] content = Files.readAllBytes(file);
                final int at = (int)JournalDamageTest.indexOf(content, needle);
                if (at >= 0)
                {
                    content[at] ^= 0x20;
                    Files.write(file, content);
                    return;
                }
            }
        }
        throw new AssertionError("marker not found in journal files");
    }
}
