package io.portask.client;

import java.util.Collection;

/**
 * Told when a subscribed {@link Consumer}'s partitions change (the broker assigns them, incrementally): commit what
 * was consumed in {@link #onPartitionsRevoked}, so the next owner starts where this one stopped. Runs on the thread
 * that calls {@link Consumer#poll}.
 */
public interface RebalanceListener
{
    /**
     * These partitions go to another member once this call returns; positions are still readable and committable.
     *
     * @param partitions revoked.
     */
    default void onPartitionsRevoked(final Collection<TopicPartition> partitions)
    {
    }

    /**
     * These partitions are this member's now; poll reads them from the group's committed offset (else by the
     * consumer's offset-reset policy).
     *
     * @param partitions assigned.
     */
    default void onPartitionsAssigned(final Collection<TopicPartition> partitions)
    {
    }

    /**
     * The broker no longer knows this member (it missed its session timeout): these partitions may be another's
     * already, so nothing is committed; the consumer joins again.
     *
     * @param partitions lost.
     */
    default void onPartitionsLost(final Collection<TopicPartition> partitions)
    {
    }
}
