package io.portask.storage;

import org.agrona.BitUtil;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;

/**
 * How Dragonfly-only partitions hand their batches to the write-behind agent without allocating: one ring buffer
 * for all of them, written by the core agent (claim, copy, commit) and read by the write-behind agent. A message's
 * type id is the partition's handle, given out here when the partition opens.
 * <pre>
 *   message: type id = partition handle (1, 2, ...) | the record batch, base offset assigned
 * </pre>
 * Threading: {@link #nextHandle()} and writes on the core agent's thread; reads on the write-behind agent's.
 */
public final class DragonflyHandoff
{
    /** Smallest ring: the whole handoff of a busy broker between two write-behind duty cycles. */
    public static final int MIN_CAPACITY_BYTES = 16 * 1024 * 1024;

    private final OneToOneRingBuffer ring;
    private final ManyToOneConcurrentLinkedQueue<DragonflyPartitionLog> olderReads =
        new ManyToOneConcurrentLinkedQueue<>();
    private volatile Runnable coreWaker = () ->
    {
    };
    private int lastHandle;

    /**
     * @param maxBatchLength the largest batch the broker accepts: a ring message may be an eighth of the ring.
     */
    public DragonflyHandoff(final int maxBatchLength)
    {
        final int capacity = Math.max(
            MIN_CAPACITY_BYTES, BitUtil.findNextPositivePowerOfTwo(8 * (maxBatchLength + 64)));
        this.ring = new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    /**
     * Core agent thread: a handle for a partition being opened. Handles only grow, so the reader can tell a
     * partition it has not heard of yet (a higher handle) from one deleted since (a lower one).
     *
     * @return the new handle.
     */
    public int nextHandle()
    {
        return ++lastHandle;
    }

    /**
     * @return partitions that want records older than their memory read back from their stream: the core agent
     *         offers, the write-behind agent takes.
     */
    public ManyToOneConcurrentLinkedQueue<DragonflyPartitionLog> olderReads()
    {
        return olderReads;
    }

    /**
     * @param waker wakes the core agent's thread if it sleeps (any thread may call it).
     */
    public void coreWaker(final Runnable waker)
    {
        this.coreWaker = waker;
    }

    /**
     * Write-behind agent: after work the core may be waiting for (records Dragonfly confirmed, older records read
     * back), wake it.
     */
    public void wakeCore()
    {
        coreWaker.run();
    }

    /**
     * @return the ring: the core agent writes it, the write-behind agent reads it.
     */
    public RingBuffer ring()
    {
        return ring;
    }
}
