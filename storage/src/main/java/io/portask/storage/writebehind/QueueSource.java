package io.portask.storage.writebehind;

import io.portask.protocol.RecordBatch;
import io.portask.storage.DragonflyPartitionLog;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The batches a Dragonfly-only partition handed over, kept in order in one growable buffer until Dragonfly has
 * them (a write may fail and be sent again). Once grown, taking and dropping batches allocates nothing.
 * <pre>
 *   held: [released ... | head: oldest batch kept | ... | tail: where the next batch goes]
 * </pre>
 * Threading: the write-behind agent only.
 */
final class QueueSource implements BatchSource
{
    private final DragonflyPartitionLog log;
    private final ExpandableDirectByteBuffer held = new ExpandableDirectByteBuffer(64 * 1024);
    private int head;
    private int tail;

    QueueSource(final DragonflyPartitionLog log)
    {
        this.log = log;
    }

    /**
     * Keep a batch taken from the handoff ring.
     */
    void offer(final DirectBuffer buffer, final int index, final int length)
    {
        if (head > 0 && tail + length > held.capacity())
        {
            held.putBytes(0, held, head, tail - head);
            tail -= head;
            head = 0;
        }
        held.putBytes(tail, buffer, index, length);
        tail += length;
    }

    /**
     * {@inheritDoc}
     */
    public int read(
        final long fromOffset, final int maxBytes, final MutableDirectBuffer dst, final int dstOffset,
        final int dstCapacity)
    {
        int released = 0;
        while (head < tail && RecordBatch.baseOffset(held, head) + RecordBatch.recordCount(held, head) <= fromOffset)
        {
            final int length = RecordBatch.batchLength(held, head);
            head += length;
            released += length;
        }
        if (released > 0)
        {
            log.release(released);
        }
        if (head == tail)
        {
            head = 0;
            tail = 0;
        }
        return RecordBatch.copyWhole(held, head, tail, maxBytes, dst, dstOffset, dstCapacity);
    }

    /**
     * {@inheritDoc}
     */
    public boolean canRewind()
    {
        return false;
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        log.release(tail - head);
        head = 0;
        tail = 0;
    }
}
