package io.portask.core;

/**
 * A push subscription: the broker sends a partition's new batches to a connection while it has credit.
 * Owned by the core agent.
 */
final class Subscription
{
    final long id;
    final long connectionId;
    final Partition partition;
    long nextOffset;
    long creditBytes;

    Subscription(
        final long id, final long connectionId, final Partition partition, final long nextOffset, final long credit)
    {
        this.id = id;
        this.connectionId = connectionId;
        this.partition = partition;
        this.nextOffset = nextOffset;
        this.creditBytes = credit;
    }
}
