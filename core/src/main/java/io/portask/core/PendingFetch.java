package io.portask.core;

/**
 * A fetch parked at the head of a partition until records arrive or its wait runs out. Pooled and reused by
 * the core agent, which owns it.
 */
final class PendingFetch
{
    long connectionId;
    long correlationId;
    Partition partition;
    long fetchOffset;
    int maxBytes;
    long deadlineNs;

    PendingFetch set(
        final long connectionId,
        final long correlationId,
        final Partition partition,
        final long fetchOffset,
        final int maxBytes,
        final long deadlineNs)
    {
        this.connectionId = connectionId;
        this.correlationId = correlationId;
        this.partition = partition;
        this.fetchOffset = fetchOffset;
        this.maxBytes = maxBytes;
        this.deadlineNs = deadlineNs;
        return this;
    }

    void clear()
    {
        partition = null;
    }
}
