package io.portask.storage.writebehind;

import io.portask.storage.DragonflyHandoff;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.ControlledMessageHandler;

/**
 * Reads the {@link DragonflyHandoff} ring into the queue of each Dragonfly-only partition. A batch of a handle
 * above every handle opened so far belongs to a partition whose open the agent has not processed yet: reading
 * stops there until it has. A batch of a lower, unknown handle belongs to a deleted partition and is dropped.
 * <p>
 * Threading: the write-behind agent only.
 */
final class HandoffReader implements ControlledMessageHandler
{
    private static final int READ_LIMIT = 256;

    private final DragonflyHandoff handoff;
    private final Int2ObjectHashMap<QueueSource> byHandle = new Int2ObjectHashMap<>();
    private int highestHandle;

    HandoffReader(final DragonflyHandoff handoff)
    {
        this.handoff = handoff;
    }

    /**
     * Wake the core after a duty cycle that did work it may be waiting for: older records read back for a fetch,
     * or anything while Dragonfly-only partitions are open (their produces are acknowledged once Dragonfly confirms
     * them). Writing journal partitions behind is nothing the core waits for: waking it for that only took CPU from
     * the produce path (an asleep core woken several times per linger).
     *
     * @param workCount the duty cycle's work.
     * @param readBack  of which older records read back.
     * @return the work count.
     */
    int wakeCoreAfter(final int workCount, final int readBack)
    {
        if (readBack > 0 || (workCount > 0 && !byHandle.isEmpty()))
        {
            handoff.wakeCore();
        }
        return workCount;
    }

    void add(final int handle, final QueueSource source)
    {
        byHandle.put(handle, source);
        highestHandle = Math.max(highestHandle, handle);
    }

    void remove(final int handle)
    {
        byHandle.remove(handle);
    }

    int drain()
    {
        return handoff.ring().controlledRead(this, READ_LIMIT);
    }

    /**
     * {@inheritDoc}
     */
    public Action onMessage(final int handle, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (handle > highestHandle)
        {
            return Action.ABORT;
        }
        final QueueSource source = byHandle.get(handle);
        if (null != source)
        {
            source.offer(buffer, index, length);
        }
        return Action.CONTINUE;
    }
}
