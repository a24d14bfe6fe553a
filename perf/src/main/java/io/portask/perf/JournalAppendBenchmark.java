package io.portask.perf;

import io.portask.protocol.RecordBatchWriter;
import io.portask.storage.ChronicleJournalLog;
import org.agrona.BufferUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.File;
import java.nio.file.Files;

/**
 * Append of one batch holding one 100-byte record to a partition's Chronicle Queue journal, as the core agent
 * does it (base offset assigned, entry CRC computed). Sample mode reports the percentiles; the p99 target is
 * under 2 us.
 */
@BenchmarkMode(Mode.SampleTime)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class JournalAppendBenchmark extends BenchmarkBase
{
    private final UnsafeBuffer batch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(1024, 64));
    private File dir;
    private ChronicleJournalLog log;
    private int length;

    /**
     * Open a fresh journal in a temporary folder.
     *
     * @throws Exception when the folder cannot be made.
     */
    @Setup(Level.Trial)
    public void setup() throws Exception
    {
        dir = Files.createTempDirectory("portask-journal-bench").toFile();
        log = ChronicleJournalLog.open(dir, "bench/0", 1024 * 1024, null);
        final RecordBatchWriter writer = new RecordBatchWriter().reset(batch, 0, batch.capacity());
        writer.append(1_700_000_000_000L, null, 0, 0, new UnsafeBuffer(new byte[100]), 0, 100);
        length = writer.seal();
    }

    /**
     * Close and delete the journal.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        log.close();
        IoUtil.delete(dir, true);
    }

    /**
     * @return the offset assigned.
     */
    @Benchmark
    public long append()
    {
        return log.append(batch, 0, length);
    }
}
