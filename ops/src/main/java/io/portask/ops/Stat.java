package io.portask.ops;

import java.io.File;
import java.io.PrintStream;
import java.util.Map;
import java.util.Set;

/**
 * {@code portask stat}: prints the broker's counters, read from outside the broker out of the Aeron counters
 * file (cnc.dat) of its embedded media driver.
 */
final class Stat
{
    private Stat()
    {
    }

    static int run(final String[] argv, final PrintStream out)
    {
        final Args args = new Args(argv, 1, Set.of("data-dir", "aeron-dir"), Set.of());
        final String envData = System.getenv("PORTASK_DATA_DIR");
        final File dataDir = new File(args.option("data-dir", null == envData ? "data" : envData));
        final File aeronDir = new File(args.option("aeron-dir", new File(dataDir, "aeron").getPath()));
        final Map<String, Long> counters;
        try
        {
            counters = CountersFile.read(aeronDir);
        }
        catch (final IllegalStateException ex)
        {
            throw new Args.UsageException(ex.getMessage());
        }
        counters.forEach((label, value) -> out.printf("%-48s %,20d%n", label, value));
        return 0;
    }
}
