package io.portask.core;

import io.portask.log.PartitionLog;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * One topic-partition as the core agent sees it: its log and its counter. Owned by the core agent.
 */
final class Partition implements AutoCloseable
{
    final Topic topic;
    final int index;
    final PartitionLog log;
    final AtomicCounter recordsAppended;

    Partition(final Topic topic, final int index, final PartitionLog log, final AtomicCounter recordsAppended)
    {
        this.topic = topic;
        this.index = index;
        this.log = log;
        this.recordsAppended = recordsAppended;
    }

    public void close()
    {
        recordsAppended.close();
        log.close();
    }
}
