package io.portask.ops;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.ErrorLogReader;

import java.io.File;
import java.io.PrintStream;
import java.nio.MappedByteBuffer;
import java.time.Instant;
import java.util.Set;

/**
 * {@code portask errors [--data-dir DIR] [--previous]}: prints the broker's distinct error log, each error once
 * with how often it happened, first and last time, and its stack trace. Works while the broker runs.
 */
final class Errors
{
    private Errors()
    {
    }

    static int run(final String[] argv, final PrintStream out)
    {
        final Args args = new Args(argv, 1, Set.of("data-dir"), Set.of("previous"));
        final String envData = System.getenv("PORTASK_DATA_DIR");
        final File dataDir = new File(args.option("data-dir", null == envData ? "data" : envData));
        final File file = new File(dataDir, Broker.ERROR_LOG_FILE + (args.flag("previous") ? ".prev" : ""));
        if (!file.isFile())
        {
            throw new Args.UsageException(
                "no error log " + file.getAbsolutePath() + " (is this the broker's data folder?)");
        }
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(file, "errors");
        try
        {
            final int distinct = ErrorLogReader.read(new UnsafeBuffer(mapped), (count, firstMs, lastMs, text) ->
                out.println(count + " time(s), first " + Instant.ofEpochMilli(firstMs) + ", last " +
                Instant.ofEpochMilli(lastMs) + ":\n" + text));
            out.println(distinct + " distinct error(s) in " + file.getAbsolutePath());
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
        return 0;
    }
}
