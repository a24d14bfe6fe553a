package io.portask.perf;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the JMH benchmarks with the project's JVM flags appended to every fork. Takes JMH's own command line,
 * e.g. {@code ./portask perf jmh Codec -prof gc}.
 */
public final class Benchmarks
{
    private Benchmarks()
    {
    }

    /**
     * @param args JMH command-line options.
     * @throws RunnerException             when a benchmark fails.
     * @throws CommandLineOptionException when the options are malformed.
     */
    public static void main(final String[] args) throws RunnerException, CommandLineOptionException
    {
        final CommandLineOptions cli = new CommandLineOptions(args);
        new Runner(new OptionsBuilder()
            .parent(cli)
            .jvmArgsAppend(JvmFlags.flags().toArray(String[]::new))
            .build()).run();
    }
}
