package io.portask.ops;

import io.aeron.CncFileDescriptor;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads Portask's counters (type ids 1001 to 1099) out of a broker's Aeron counters file, from any process.
 */
public final class CountersFile
{
    private static final int FIRST_TYPE_ID = 1001;
    private static final int LAST_TYPE_ID = 1099;

    private CountersFile()
    {
    }

    /**
     * @param aeronDir the broker's Aeron directory.
     * @return label to value, in counter order.
     * @throws IllegalStateException when there is no counters file.
     */
    public static Map<String, Long> read(final File aeronDir)
    {
        final Map<String, Long> counters = new LinkedHashMap<>();
        forEach(aeronDir, (typeId, label, value) -> counters.merge(label, value, Long::sum));
        return counters;
    }

    /**
     * @param aeronDir the broker's Aeron directory.
     * @return counter type id ({@link io.portask.protocol.CounterIds}) to the sum of its counters.
     * @throws IllegalStateException when there is no counters file.
     */
    public static Map<Integer, Long> sumByType(final File aeronDir)
    {
        final Map<Integer, Long> sums = new LinkedHashMap<>();
        forEach(aeronDir, (typeId, label, value) -> sums.merge(typeId, value, Long::sum));
        return sums;
    }

    private interface Visitor
    {
        void counter(int typeId, String label, long value);
    }

    private static void forEach(final File aeronDir, final Visitor visitor)
    {
        final File cnc = new File(aeronDir, CncFileDescriptor.CNC_FILE);
        if (!cnc.isFile())
        {
            throw new IllegalStateException("no counters file " + cnc.getAbsolutePath() +
                ": is a broker running with that data folder (or portask.aeron.dir)?");
        }
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(cnc, "cnc");
        try
        {
            final UnsafeBuffer metaData = CncFileDescriptor.createMetaDataBuffer(mapped);
            final CountersReader reader = new CountersReader(
                CncFileDescriptor.createCountersMetaDataBuffer(mapped, metaData),
                CncFileDescriptor.createCountersValuesBuffer(mapped, metaData));
            reader.forEach((counterId, typeId, keyBuffer, label) ->
            {
                if (typeId >= FIRST_TYPE_ID && typeId <= LAST_TYPE_ID)
                {
                    visitor.counter(typeId, label, reader.getCounterValue(counterId));
                }
            });
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }
}
