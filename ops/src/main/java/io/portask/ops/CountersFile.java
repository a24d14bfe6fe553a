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
            final Map<String, Long> counters = new LinkedHashMap<>();
            reader.forEach((counterId, typeId, keyBuffer, label) ->
            {
                if (typeId >= FIRST_TYPE_ID && typeId <= LAST_TYPE_ID)
                {
                    counters.merge(label, reader.getCounterValue(counterId), Long::sum);
                }
            });
            return counters;
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }
}
