package io.portask.perf.peers;

import io.portask.ops.IdleStrategyKind;
import io.portask.perf.load.Conditions;
import io.portask.perf.load.EchoServer;
import io.portask.perf.load.Percentiles;
import io.portask.perf.load.ResultWriter;
import io.portask.perf.load.RunResult;
import io.portask.perf.load.Series;
import io.portask.perf.load.Throughput;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code portask perf compare-peers}: the same closed-loop and throughput scenarios against Portask and its peers
 * on loopback, one after the other in one run: Apache Kafka (one KRaft broker from its Maven Central jars, acks=1
 * and acks=all), Redis Streams (Debian redis-server, XADD) and NATS JetStream (Debian nats-server, when
 * installed). Each server is started and stopped by the tool, by process id, within a bounded time; each is driven
 * by its own client library. Prints one table with the raw TCP ping-pong floor of the same run.
 * <pre>
 *   ./portask perf compare-peers [--only portask,kafka,redis,nats] [--messages 10000] [--throughput-messages 200000]
 *                                [--size 100] [--window 10000] [--out perf-results]
 * </pre>
 */
public final class ComparePeers
{
    private static final long PEER_BUDGET_MINUTES = 5;

    private ComparePeers()
    {
    }

    /**
     * @param args options, see the class comment.
     * @throws Exception when the run fails.
     */
    public static void main(final String[] args) throws Exception
    {
        Set<String> only = Set.of("portask", "kafka", "redis", "nats");
        int messages = 10_000;
        int throughputMessages = 200_000;
        int size = 100;
        int window = 10_000;
        Path out = Path.of("perf-results");
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--only" -> only = Set.of(args[i + 1].split(","));
                case "--messages" -> messages = Integer.parseInt(args[i + 1]);
                case "--throughput-messages" -> throughputMessages = Integer.parseInt(args[i + 1]);
                case "--size" -> size = Integer.parseInt(args[i + 1]);
                case "--window" -> window = Integer.parseInt(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        final List<Peer> peers = new ArrayList<>();
        final Path root = Path.of("").toAbsolutePath();
        for (final String name : List.of("portask", "kafka", "redis", "nats"))
        {
            if (only.contains(name))
            {
                peers.add(switch (name)
                {
                    case "portask" -> new PortaskPeer();
                    case "kafka" -> new KafkaPeer(root);
                    case "redis" -> new RedisStreamsPeer();
                    default -> new NatsPeer();
                });
            }
        }
        final Path dir = ResultWriter.stamped(out, "compare-peers");
        run(peers, new Sizes(messages, messages / 5, throughputMessages, size, window), dir, System.out);
        System.exit(0);
    }

    record Sizes(int messages, int warmup, int throughputMessages, int size, int window)
    {
    }

    static RunResult run(final List<Peer> peers, final Sizes sizes, final Path dir, final PrintStream out)
        throws Exception
    {
        Files.createDirectories(dir);
        final RunResult result = new RunResult("compare-peers", Conditions.ofThisMachine()
            .with("loopback", "every server on 127.0.0.1, started by this tool, one after the other")
            .with("size", sizes.size + " B")
            .with("closed loop", "each system's own client, one record in flight, " + sizes.messages +
                " measured after " + sizes.warmup + " warm-up, latency from send to ack")
            .with("throughput", sizes.throughputMessages + " records, batching clients (linger 1 ms, 16 KiB " +
                "batches where the client has them), at most " + sizes.window + " unacknowledged")
            .with("portask", "broker process, shared threading, backoff idle, journal topic, ack=journal")
            .with("kafka", "idempotence off, linger 0 ms for the closed loop")
            .with("floor", "raw loopback TCP ping-pong in this JVM, backoff idle, closed loop"));
        final Histogram floorHistogram = EchoServer.pingPong(IdleStrategyKind.BACKOFF.newInstance(), sizes.size,
            sizes.warmup, sizes.messages, 0);
        final Series floor = new Series("raw TCP ping-pong", floorHistogram, null);
        result.add(floor);
        final ExecutorService executor = Executors.newSingleThreadExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "compare-peers");
            thread.setDaemon(true);
            return thread;
        });
        try
        {
            for (final Peer peer : peers)
            {
                measurePeer(peer, sizes, dir, floor, result, executor, out);
            }
        }
        finally
        {
            executor.shutdownNow();
        }
        ResultWriter.write(result, dir, out);
        printComparison(result, floor, out);
        return result;
    }

    private static void measurePeer(
        final Peer peer,
        final Sizes sizes,
        final Path dir,
        final Series floor,
        final RunResult result,
        final ExecutorService executor,
        final PrintStream out) throws Exception
    {
        final String unavailable = peer.unavailable();
        if (null != unavailable)
        {
            result.note(peer.system() + ": " + unavailable);
            out.println(peer.system() + ": " + unavailable);
            return;
        }
        out.println("measuring " + peer.system() + "...");
        final Path peerDir = Files.createDirectories(dir.resolve(peer.getClass().getSimpleName()));
        final AtomicReference<AutoCloseable> server = new AtomicReference<>();
        final Future<?> work = executor.submit(() ->
        {
            server.set(peer.start(peerDir));
            for (final String mode : peer.modes())
            {
                final String name = peer.system() + " " + mode;
                result.add(new Series(name, closedLoop(peer, mode, sizes), floor));
                try
                {
                    result.add(throughput(peer, mode, sizes, name));
                }
                catch (final UnsupportedOperationException ex)
                {
                    result.note(name + ": " + ex.getMessage());
                }
            }
            return null;
        });
        try
        {
            work.get(PEER_BUDGET_MINUTES, TimeUnit.MINUTES);
        }
        catch (final TimeoutException ex)
        {
            work.cancel(true);
            result.note(peer.system() + ": stopped after " + PEER_BUDGET_MINUTES + " minutes; rows may be missing");
        }
        catch (final ExecutionException ex)
        {
            result.note(peer.system() + ": failed: " + ex.getCause());
            out.println(peer.system() + " failed: " + ex.getCause());
        }
        finally
        {
            final AutoCloseable running = server.get();
            if (null != running)
            {
                running.close();
            }
        }
    }

    private static Histogram closedLoop(final Peer peer, final String mode, final Sizes sizes) throws Exception
    {
        final Histogram histogram = Percentiles.newHistogram();
        final byte[] value = new byte[sizes.size];
        try (Peer.Client client = peer.client(mode, false))
        {
            for (int i = 0; i < sizes.warmup + sizes.messages; i++)
            {
                final long start = System.nanoTime();
                client.send(value);
                if (i >= sizes.warmup)
                {
                    histogram.recordValue(System.nanoTime() - start);
                }
            }
        }
        return histogram;
    }

    private static Throughput throughput(final Peer peer, final String mode, final Sizes sizes, final String name)
        throws Exception
    {
        final byte[] value = new byte[sizes.size];
        final Semaphore window = new Semaphore(sizes.window);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        try (Peer.Client client = peer.client(mode, true))
        {
            final long start = System.nanoTime();
            for (int i = 0; i < sizes.throughputMessages && null == failure.get(); i++)
            {
                window.acquire();
                client.sendAsync(value, error ->
                {
                    if (null != error)
                    {
                        failure.compareAndSet(null, error);
                    }
                    window.release();
                });
            }
            window.acquire(sizes.window);
            final long elapsed = System.nanoTime() - start;
            if (null != failure.get())
            {
                throw new IllegalStateException(name + ": a send failed", failure.get());
            }
            return new Throughput(name, sizes.throughputMessages, (long)sizes.throughputMessages * sizes.size,
                elapsed);
        }
    }

    private static void printComparison(final RunResult result, final Series floor, final PrintStream out)
    {
        out.printf(Locale.ROOT, "%n%-50s %9s %9s %9s %9s %8s %12s %8s%n", "closed loop (us) and throughput",
            "p50", "p99", "p99.9", "max", "p50 x fl", "records/s", "MB/s");
        row(out, floor.name(), floor.histogram(), Double.NaN, null);
        for (final Series series : result.series())
        {
            if (series != floor)
            {
                final Throughput throughput = result.throughputs().stream()
                    .filter(t -> t.name().equals(series.name())).findFirst().orElse(null);
                row(out, series.name(), series.histogram(), series.ratio(50), throughput);
            }
        }
        result.notes().forEach(note -> out.println("note: " + note));
    }

    private static void row(
        final PrintStream out, final String name, final Histogram h, final double ratio, final Throughput throughput)
    {
        out.printf(Locale.ROOT, "%-50s %9.1f %9.1f %9.1f %9.1f %8s %12s %8s%n", name,
            h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
            h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0,
            Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, "%.2f", ratio),
            null == throughput ? "" : String.format(Locale.ROOT, "%,.0f", throughput.recordsPerSecond()),
            null == throughput ? "" : String.format(Locale.ROOT, "%.1f", throughput.megabytesPerSecond()));
    }
}
