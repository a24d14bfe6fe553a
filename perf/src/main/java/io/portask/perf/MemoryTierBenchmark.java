package io.portask.perf;

import io.portask.protocol.RecordBatchWriter;
import io.portask.storage.MemoryBudget;
import io.portask.storage.MemoryPartitionLog;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The off-heap memory tier: append of a batch of one 100-byte record (the memory-only topic's whole store path,
 * segments recycled under the budget), and a read of the latest batch as a fetch at the head does. Must allocate
 * nothing.
 */
@State(Scope.Thread)
public class MemoryTierBenchmark extends BenchmarkBase
{
    private static final int SEGMENT_BYTES = 1024 * 1024;

    private final UnsafeBuffer batch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(1024, 64));
    private final UnsafeBuffer fetched = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64 * 1024, 64));
    private MemoryPartitionLog log;
    private int length;

    /**
     * A log of 8 segments under a budget of 64.
     */
    @Setup
    public void setup()
    {
        final CountersManager counters = new CountersManager(
            new UnsafeBuffer(new byte[64 * 1024]), new UnsafeBuffer(new byte[16 * 1024]));
        final AtomicCounter held = counters.newCounter("held");
        final AtomicCounter evictions = counters.newCounter("evictions");
        log = new MemoryPartitionLog("bench/0", SEGMENT_BYTES, 8L * SEGMENT_BYTES,
            0, new MemoryBudget(64L * SEGMENT_BYTES, held, evictions));
        final RecordBatchWriter writer = new RecordBatchWriter().reset(batch, 0, batch.capacity());
        writer.append(1_700_000_000_000L, null, 0, 0, new UnsafeBuffer(new byte[100]), 0, 100);
        length = writer.seal();
        log.append(batch, 0, length);
    }

    /**
     * Free the segments.
     */
    @TearDown
    public void tearDown()
    {
        log.close();
    }

    /**
     * @return the offset assigned.
     */
    @Benchmark
    public long append()
    {
        return log.append(batch, 0, length);
    }

    /**
     * @return bytes copied.
     */
    @Benchmark
    public int readHead()
    {
        return log.read(log.highWatermark() - 1, 64 * 1024, fetched, 0, fetched.capacity());
    }
}
