package io.portask.storage.writebehind;

import io.portask.storage.DragonflyPartitionLog;
import org.agrona.MutableDirectBuffer;

import java.util.ArrayDeque;

/**
 * The batches a Dragonfly-only partition hands over, kept until Dragonfly has them.
 * <p>
 * Threading: the write-behind agent only.
 */
final class QueueSource implements BatchSource
{
    private final DragonflyPartitionLog log;
    private final ArrayDeque<DragonflyPartitionLog.PendingBatch> pending = new ArrayDeque<>();

    QueueSource(final DragonflyPartitionLog log)
    {
        this.log = log;
    }

    /**
     * {@inheritDoc}
     */
    public int read(
        final long fromOffset, final int maxBytes, final MutableDirectBuffer dst, final int dstOffset,
        final int dstCapacity)
    {
        DragonflyPartitionLog.PendingBatch next;
        while (null != (next = log.poll()))
        {
            pending.addLast(next);
        }
        while (!pending.isEmpty() && pending.peekFirst().baseOffset() + pending.peekFirst().recordCount() <= fromOffset)
        {
            pending.pollFirst();
        }
        int written = 0;
        for (final DragonflyPartitionLog.PendingBatch batch : pending)
        {
            final int length = batch.bytes().length;
            if (written > 0 && written + length > maxBytes || written + length > dstCapacity)
            {
                break;
            }
            dst.putBytes(dstOffset + written, batch.bytes());
            written += length;
        }
        return written;
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
        pending.clear();
    }
}
