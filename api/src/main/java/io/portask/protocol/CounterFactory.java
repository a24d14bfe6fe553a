package io.portask.protocol;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * Allocates counters with typed keys ({@link CounterKey}): in the broker, in the Aeron media driver's counters
 * file; in tests and benchmarks, from an Agrona {@code CountersManager}. Called on the owning agent's thread, and
 * only when something is created (a topic, a connection kind), never per message.
 */
@FunctionalInterface
public interface CounterFactory
{
    /**
     * @param typeId    one of {@link CounterIds}.
     * @param key       the key, {@link CounterKey} layout.
     * @param keyLength its length.
     * @param label     human-readable, unique among counters of the type.
     * @return a counter the caller owns and closes.
     */
    AtomicCounter newCounter(int typeId, DirectBuffer key, int keyLength, String label);

    /**
     * A counter of one topic-partition, or of one kind (a request type, an error code), or both.
     *
     * @param typeId    one of {@link CounterIds}.
     * @param topic     topic or null.
     * @param partition partition or -1.
     * @param kind      kind or null.
     * @param label     human-readable, unique among counters of the type.
     * @return a counter the caller owns and closes.
     */
    default AtomicCounter newCounter(
        final int typeId, final String topic, final int partition, final String kind, final String label)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[CounterKey.MAX_LENGTH]);
        return newCounter(typeId, key, CounterKey.encode(key, topic, partition, kind), label);
    }

    /**
     * A counter of the whole broker: no topic, partition or kind.
     *
     * @param typeId one of {@link CounterIds}.
     * @param label  human-readable.
     * @return a counter the caller owns and closes.
     */
    default AtomicCounter newCounter(final int typeId, final String label)
    {
        return newCounter(typeId, null, -1, null, label);
    }

    /**
     * @param manager an Agrona counters manager (tests, benchmarks, a broker without Aeron).
     * @return a factory allocating from it.
     */
    static CounterFactory of(final CountersManager manager)
    {
        return (typeId, key, keyLength, label) -> manager.newCounter(
            label, typeId, buffer -> buffer.putBytes(0, key, 0, keyLength));
    }
}
