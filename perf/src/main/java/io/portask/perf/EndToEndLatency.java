package io.portask.perf;

import io.portask.core.ThreadingMode;
import io.portask.ops.IdleStrategyKind;
import io.portask.perf.load.EchoServer;
import io.portask.perf.load.PacedPingClient;
import io.portask.perf.load.Percentiles;
import io.portask.protocol.sbe.StorageKind;
import io.portask.storage.writebehind.DragonflyContext;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The end-to-end run of the foundation: produce-ack round trips of one 100-byte record over loopback against
 * a broker in this JVM (ack=journal, a real Chronicle Queue journal), and in the same run a raw loopback TCP
 * ping-pong of the same size with the same threading and idle strategy. Prints HdrHistogram percentiles of
 * both and their ratio, and writes .hgrm files.
 * <pre>
 *   ./portask perf e2e [--configs shared/backoff,shared/busy-spin,dedicated/busy-spin,dedicated/yielding]
 *                      [--messages 200000] [--warmup 50000] [--interval-us 100] [--size 100] [--out perf-results]
 * </pre>
 */
public final class EndToEndLatency
{
    private EndToEndLatency()
    {
    }

    /**
     * @param args options, see the class comment.
     * @throws Exception when a run fails.
     */
    public static void main(final String[] args) throws Exception
    {
        String configs = "shared/backoff,shared/busy-spin,dedicated/busy-spin,dedicated/yielding";
        int messages = 200_000;
        int warmup = 50_000;
        long intervalUs = 100;
        int size = 100;
        Path out = Path.of("perf-results");
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--configs" -> configs = args[i + 1];
                case "--messages" -> messages = Integer.parseInt(args[i + 1]);
                case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
                case "--interval-us" -> intervalUs = Long.parseLong(args[i + 1]);
                case "--size" -> size = Integer.parseInt(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Files.createDirectories(out);
        final PrintStream print = System.out;
        print.printf(Locale.ROOT, "conditions: JDK %s, %d cores, %d-byte records, ack=journal, one in flight, " +
            "one send every %d us, %d measured after %d warm-up, latency from intended send time (ns -> us)%n",
            Runtime.version(), Runtime.getRuntime().availableProcessors(), size, intervalUs, messages, warmup);
        for (final String config : configs.split(","))
        {
            final String[] parts = config.split("/");
            final ThreadingMode mode = ThreadingMode.valueOf(parts[0].toUpperCase(Locale.ROOT));
            final IdleStrategyKind idle = IdleStrategyKind.valueOf(parts[1].toUpperCase(Locale.ROOT).replace('-', '_'));
            final long intervalNs = TimeUnit.MICROSECONDS.toNanos(intervalUs);
            final Histogram raw = rawPingPong(idle, size, warmup, messages, intervalNs);
            final Histogram broker;
            try
            {
                broker = produceAck(mode, idle, size, warmup, messages, intervalNs);
            }
            catch (final PacedPingClient.FellBehindException ex)
            {
                print.printf(Locale.ROOT, "%n%s%nproduce-ack: %s%n", config, ex.getMessage());
                continue;
            }
            report(print, config, raw, broker);
            write(out.resolve(config.replace('/', '-') + "-raw.hgrm"), raw);
            write(out.resolve(config.replace('/', '-') + "-produce.hgrm"), broker);
        }
    }

    static Histogram rawPingPong(
        final IdleStrategyKind idle, final int size, final int warmup, final int messages, final long intervalNs)
        throws IOException
    {
        return EchoServer.pingPong(idle.newInstance(), size, warmup, messages, intervalNs);
    }

    static Histogram produceAck(
        final ThreadingMode mode,
        final IdleStrategyKind idle,
        final int size,
        final int warmup,
        final int messages,
        final long intervalNs) throws IOException
    {
        return produceAck(mode, idle, null, StorageKind.JOURNAL, size, warmup, messages, intervalNs);
    }

    static Histogram produceAck(
        final ThreadingMode mode,
        final IdleStrategyKind idle,
        final DragonflyContext dragonfly,
        final StorageKind storage,
        final int size,
        final int warmup,
        final int messages,
        final long intervalNs) throws IOException
    {
        try (PacedTarget target = PacedTarget.launch(mode, idle, dragonfly, storage, size))
        {
            return target.run(warmup, messages, intervalNs);
        }
    }

    static void report(final PrintStream out, final String config, final Histogram raw, final Histogram broker)
    {
        report(out, config, "raw TCP ping-pong us", raw, "produce-ack us", broker);
    }

    static void report(
        final PrintStream out,
        final String config,
        final String baseName,
        final Histogram raw,
        final String name,
        final Histogram broker)
    {
        out.printf(Locale.ROOT, "%n%s%n%-22s", config, "");
        for (final double p : Percentiles.REPORTED)
        {
            out.printf(Locale.ROOT, "%10s", Percentiles.label(p));
        }
        out.println();
        row(out, baseName, raw);
        row(out, name, broker);
        out.printf(Locale.ROOT, "%-22s", "ratio");
        for (final double p : Percentiles.REPORTED)
        {
            out.printf(Locale.ROOT, "%10.2f", Percentiles.ratio(broker, raw, p));
        }
        out.println();
    }

    private static void row(final PrintStream out, final String name, final Histogram histogram)
    {
        out.printf(Locale.ROOT, "%-22s", name);
        for (final double p : Percentiles.REPORTED)
        {
            out.printf(Locale.ROOT, "%10.1f", Percentiles.valueAt(histogram, p) / 1000.0);
        }
        out.println();
    }

    private static void write(final Path file, final Histogram histogram) throws IOException
    {
        try (PrintStream stream = new PrintStream(Files.newOutputStream(file), false, "UTF-8"))
        {
            histogram.outputPercentileDistribution(stream, 1000.0);
        }
    }
}
