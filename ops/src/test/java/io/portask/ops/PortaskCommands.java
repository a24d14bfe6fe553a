package io.portask.ops;

import java.io.InputStream;
import java.io.PrintStream;

/**
 * Lets system tests in another package run CLI commands in-process, with their output captured.
 */
public final class PortaskCommands
{
    private PortaskCommands()
    {
    }

    /**
     * @param args command and options.
     * @param in   standard input.
     * @param out  standard output.
     * @param err  standard error.
     * @return the exit code the command would have.
     */
    public static int run(final String[] args, final InputStream in, final PrintStream out, final PrintStream err)
    {
        return Portask.run(args, in, out, err);
    }

    /**
     * @return the tarball {@link Dist} builds from this source tree into {@code out}.
     */
    public static java.nio.file.Path dist(final java.nio.file.Path root, final java.nio.file.Path out)
        throws java.io.IOException, InterruptedException
    {
        return Dist.build(root, out);
    }

    /**
     * @return every key the broker and the gateway read.
     */
    public static java.util.Set<String> allConfigurationKeys()
    {
        return GatewayConfiguration.KEYS;
    }
}
