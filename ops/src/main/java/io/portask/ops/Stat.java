package io.portask.ops;

import io.aeron.CncFileDescriptor;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.io.PrintStream;
import java.nio.MappedByteBuffer;
import java.util.Set;

/**
 * {@code portask stat}: prints the broker's counters, read from outside the broker out of the Aeron counters
 * file (cnc.dat) of its embedded media driver. Only Portask's counters (type ids 1001 to 1099) are shown.
 */
final class Stat
{
    private static final int FIRST_TYPE_ID = 1001;
    private static final int LAST_TYPE_ID = 1099;

    private Stat()
    {
    }

    static int run(final String[] argv, final PrintStream out)
    {
        final Args args = new Args(argv, 1, Set.of("data-dir", "aeron-dir"), Set.of());
        final String envData = System.getenv("PORTASK_DATA_DIR");
        final File dataDir = new File(args.option("data-dir", null == envData ? "data" : envData));
        final File aeronDir = new File(args.option("aeron-dir", new File(dataDir, "aeron").getPath()));
        final File cnc = new File(aeronDir, CncFileDescriptor.CNC_FILE);
        if (!cnc.isFile())
        {
            throw new Args.UsageException("no counters file " + cnc.getAbsolutePath() +
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
                    out.printf("%-48s %,20d%n", label, reader.getCounterValue(counterId));
                }
            });
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
        return 0;
    }
}
