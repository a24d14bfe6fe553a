package io.portask.perf;

import org.agrona.BufferUtil;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The rings between the broker's threads: the transport writes requests into a many-to-one ring the core reads,
 * the core answers through one-to-one rings. One message of a request's size claimed, written, committed and
 * read back, on one thread: the cost each crossing adds, without the other thread's cache misses. Must
 * allocate nothing.
 */
@State(Scope.Thread)
public class RingBufferBenchmark extends BenchmarkBase
{
    private static final int RING_BYTES = 1024 * 1024;

    @Param({ "many-to-one", "one-to-one" })
    private String ring;

    @Param({ "160" })
    private int messageBytes;

    private long consumed;
    private RingBuffer buffer;
    private final MessageHandler handler = (msgTypeId, src, index, length) -> consumed += length;

    /**
     * Make the ring the way the broker does.
     */
    @Setup
    public void setup()
    {
        final UnsafeBuffer memory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            RING_BYTES + RingBufferDescriptor.TRAILER_LENGTH, 64));
        buffer = "many-to-one".equals(ring) ? new ManyToOneRingBuffer(memory) : new OneToOneRingBuffer(memory);
    }

    /**
     * @return bytes read so far, so the read is not dead code.
     */
    @Benchmark
    public long claimCommitRead()
    {
        final int index = buffer.tryClaim(1, messageBytes);
        if (index > 0)
        {
            final var claimed = buffer.buffer();
            claimed.putLong(index, consumed);
            buffer.commit(index);
        }
        buffer.read(handler, 1);
        return consumed;
    }
}
