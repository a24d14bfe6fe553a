package io.portask.testsupport;

import org.agrona.concurrent.status.CountersReader;

/**
 * Reads a counter's value by its label, for tests.
 */
public final class TestCounters
{
    private TestCounters()
    {
    }

    /**
     * @param reader counters to search.
     * @param label  exact label.
     * @return the value of the last counter with that label, or -1 when there is none.
     */
    public static long value(final CountersReader reader, final String label)
    {
        final long[] value = { -1 };
        reader.forEach((counterId, typeId, keyBuffer, counterLabel) ->
        {
            if (counterLabel.equals(label))
            {
                value[0] = reader.getCounterValue(counterId);
            }
        });
        return value[0];
    }
}
