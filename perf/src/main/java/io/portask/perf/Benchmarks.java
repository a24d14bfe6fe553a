package io.portask.perf;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the JMH benchmarks with the project's JVM flags appended to every fork, and JMH's gc profiler unless
 * other profilers are named. Takes JMH's own command line, e.g. {@code ./portask perf jmh Codec}.
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
        final ChainedOptionsBuilder options = new OptionsBuilder()
            .parent(cli)
            .jvmArgsAppend(JvmFlags.flags().toArray(String[]::new));
        final String root = System.getProperty("portask.root");
        if (null != root)
        {
            options.jvmArgsAppend("-Dportask.root=" + root); // where a benchmark finds the broker it starts
        }
        if (cli.getProfilers().isEmpty())
        {
            options.addProfiler(GCProfiler.class); // allocation per operation on every result
        }
        new Runner(options.build()).run();
    }
}
