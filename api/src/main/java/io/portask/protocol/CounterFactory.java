package io.portask.protocol;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * Allocates counters: in the broker, in the embedded Aeron media driver's counters file; in tests, from an
 * Agrona {@code CountersManager}. Called on the core agent's thread only for admin operations.
 */
@FunctionalInterface
public interface CounterFactory
{
    /**
     * @param typeId one of {@link CounterIds}.
     * @param label  human-readable, unique among counters of the type.
     * @return a counter the caller owns and closes.
     */
    AtomicCounter newCounter(int typeId, String label);
}
