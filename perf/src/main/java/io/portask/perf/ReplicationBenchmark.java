package io.portask.perf;

import io.portask.client.Admin;
import io.portask.client.Producer;
import io.portask.client.TopicPartition;
import io.portask.ops.CountersFile;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import io.portask.testsupport.ClusterProcesses;
import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code portask perf replication [--messages 3000] [--warmup 500] [--interval-us 10000] [--seconds 10]
 * [--partitions 4] [--failovers 3] [--cluster-max-park-us 100]}: what replication costs, on this machine, in one
 * run (docs/performance.md, "Replication").
 * <ol>
 *     <li>Latency: one SDK producer, one record (100 B) in flight, paced every {@code interval-us}, acked at JOURNAL
 *     by a single broker process, then at QUORUM by a cluster of three broker processes (a REPLICATED topic);
 *     HdrHistogram percentiles corrected for coordinated omission, and their ratio.</li>
 *     <li>Throughput: the same producer sending as fast as it can (linger 1 ms, 64 batches in flight) for
 *     {@code seconds} to a topic of {@code partitions} partitions, acked records per second, single node vs
 *     cluster.</li>
 *     <li>Failover: the leader killed with SIGKILL {@code failovers} times while the producer sends; the time from
 *     the kill to the first ack from the new leader, then the node restarted.</li>
 * </ol>
 * Every node and the single broker run in shared threading mode with backoff idling, all on this host.
 */
public final class ReplicationBenchmark
{
    private static final byte[] VALUE = new byte[100];
    private static final String THROUGHPUT_TOPIC = "bench-throughput";

    private ReplicationBenchmark()
    {
    }

    /**
     * @param args options; see the class comment.
     * @throws Exception when it cannot run.
     */
    public static void main(final String[] args) throws Exception
    {
        int messages = 3_000;
        int warmup = 500;
        long intervalUs = 10_000;
        int seconds = 10;
        int failovers = 3;
        int partitions = 4;
        final List<String> clusterFlags = new ArrayList<>();
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--messages" -> messages = Integer.parseInt(args[i + 1]);
                case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
                case "--interval-us" -> intervalUs = Long.parseLong(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--failovers" -> failovers = Integer.parseInt(args[i + 1]);
                case "--partitions" -> partitions = Integer.parseInt(args[i + 1]);
                case "--cluster-max-park-us" -> clusterFlags.add("-Dportask.cluster.max.park.us=" + args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] +
                    " (--messages, --warmup, --interval-us, --seconds, --partitions, --failovers," +
                    " --cluster-max-park-us)");
            }
        }
        final Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "portask-repl");
        try
        {
            run(new Options(messages, warmup, TimeUnit.MICROSECONDS.toNanos(intervalUs), seconds, partitions, failovers,
                clusterFlags), dir, System.out);
        }
        finally
        {
            IoUtil.delete(dir.toFile(), true);
        }
        System.exit(0);
    }

    /**
     * What a run does; see the class comment.
     */
    record Options(int messages, int warmup, long intervalNs, int seconds, int partitions, int failovers,
        List<String> clusterFlags)
    {
    }

    static void run(final Options options, final Path dir, final PrintStream out) throws Exception
    {
        final TopicPartition tp = new TopicPartition("bench", 0);
        final int messages = options.messages();
        final int warmup = options.warmup();
        final long intervalNs = options.intervalNs();
        final int seconds = options.seconds();
        final Histogram single;
        final double singleRate;
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("single")).start())
        {
            try (Admin admin = Admin.connect(broker.bootstrap()))
            {
                admin.createTopic(tp.topic(), 1, StorageKind.JOURNAL);
                admin.createTopic(THROUGHPUT_TOPIC, options.partitions(), StorageKind.JOURNAL);
            }
            single = latency(broker.bootstrap(), AckLevel.JOURNAL, tp, warmup, messages, intervalNs);
            singleRate = throughput(broker.bootstrap(), AckLevel.JOURNAL, seconds);
        }
        try (ClusterProcesses cluster = new ClusterProcesses(dir.resolve("cluster"), 3,
            options.clusterFlags().toArray(String[]::new)).startAll())
        {
            try (Admin admin = Admin.connect(cluster.bootstrap()))
            {
                admin.createTopic(tp.topic(), 1, StorageKind.REPLICATED);
                admin.createTopic(THROUGHPUT_TOPIC, options.partitions(), StorageKind.REPLICATED);
            }
            final Histogram quorum = latency(cluster.bootstrap(), AckLevel.QUORUM, tp, warmup, messages, intervalNs);
            final double quorumRate = throughput(cluster.bootstrap(), AckLevel.QUORUM, seconds);
            EndToEndLatency.report(out, String.format(Locale.ROOT, "one record (100 B) in flight, every %d us, %d " +
                "measured after %d; SDK, shared threading, backoff idle; 3 nodes on this host", intervalNs / 1000,
                messages, warmup), "1 node, JOURNAL us", single, "3 nodes, QUORUM us", quorum);
            out.printf(Locale.ROOT, "%nthroughput (100 B records, %d partitions, linger 1 ms, idempotent: one batch " +
                "in flight per partition, %d s): 1 node JOURNAL %,.0f rec/s, 3 nodes QUORUM %,.0f rec/s (%.2fx)%n",
                options.partitions(), seconds, singleRate, quorumRate, quorumRate / singleRate);
            out.printf(Locale.ROOT, "failover (leader killed -9 to the first ack from the new one), ms: %s%n",
                failovers(cluster, tp, options.failovers()));
        }
    }

    private static Histogram latency(final String bootstrap, final AckLevel ack, final TopicPartition tp,
        final int warmup, final int messages, final long intervalNs) throws Exception
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        try (Producer producer = Producer.builder(bootstrap).ackLevel(ack).build())
        {
            long next = System.nanoTime();
            for (int i = 0; i < warmup + messages; i++)
            {
                while (System.nanoTime() < next)
                {
                    LockSupport.parkNanos(Math.max(1, Math.min(50_000, next - System.nanoTime())));
                }
                producer.send(tp, null, VALUE, List.of()).get(30, TimeUnit.SECONDS);
                final long latency = System.nanoTime() - next;
                if (i >= warmup)
                {
                    histogram.recordValueWithExpectedInterval(latency, intervalNs);
                }
                next += intervalNs;
            }
        }
        return histogram;
    }

    private static double throughput(final String bootstrap, final AckLevel ack, final int seconds)
        throws Exception
    {
        final Semaphore window = new Semaphore(20_000);
        long acked = 0;
        try (Producer producer = Producer.builder(bootstrap).ackLevel(ack).lingerMs(1).maxInFlight(64).build())
        {
            final long start = System.nanoTime();
            final long end = start + TimeUnit.SECONDS.toNanos(seconds);
            final List<CompletableFuture<?>> sent = new ArrayList<>();
            while (System.nanoTime() < end)
            {
                window.acquire();
                sent.add(producer.send(THROUGHPUT_TOPIC, null, VALUE, List.of())
                    .whenComplete((m, e) -> window.release()));
            }
            for (final CompletableFuture<?> future : sent)
            {
                future.get(60, TimeUnit.SECONDS);
                acked++;
            }
            return acked / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static List<Long> failovers(final ClusterProcesses cluster, final TopicPartition tp, final int count)
        throws Exception
    {
        final List<Long> times = new ArrayList<>();
        try (Producer producer = Producer.builder(cluster.bootstrap()).ackLevel(AckLevel.QUORUM).retries(100_000)
            .retryBackoffMs(10).deliveryTimeout(Duration.ofMinutes(2)).build())
        {
            for (int i = 0; i < count; i++)
            {
                producer.send(tp, null, VALUE, List.of()).get(60, TimeUnit.SECONDS);
                final int leader = leader(cluster);
                cluster.kill(leader);
                final long killed = System.nanoTime();
                producer.send(tp, null, VALUE, List.of()).get(60, TimeUnit.SECONDS);
                times.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
                cluster.start(leader);
            }
        }
        return times;
    }

    private static int leader(final ClusterProcesses cluster) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline)
        {
            for (int i = 0; i < cluster.size(); i++)
            {
                final BrokerProcess broker = cluster.broker(i);
                if (broker.isAlive() && Long.valueOf(i).equals(CountersFile.read(
                    broker.dataDir().resolve("aeron").toFile()).get("cluster leader")))
                {
                    return i;
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no leader within 30 s");
    }
}
