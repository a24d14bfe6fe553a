package io.portask.perf;

import io.portask.client.Admin;
import io.portask.client.Producer;
import io.portask.client.TopicPartition;
import io.portask.core.ThreadingMode;
import io.portask.ops.Broker;
import io.portask.ops.BrokerContext;
import io.portask.ops.CountersFile;
import io.portask.ops.IdleStrategyKind;
import io.portask.protocol.sbe.StorageKind;
import io.portask.storage.writebehind.DragonflyContext;
import io.portask.testsupport.RedisServer;
import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The Dragonfly write-behind measured against a local redis-server started for the run:
 * <ol>
 *   <li>throughput: records of 100 bytes produced as fast as a batching producer can, and the time until
 *   Dragonfly has confirmed them all;</li>
 *   <li>steady lag: an open-loop produce load at a fixed rate, the write-behind lag sampled every 100 ms;</li>
 *   <li>produce-ack latency with write-behind off and on, and of a Dragonfly-only topic (acked once Dragonfly
 *   confirms), in the same run (paced, one in flight, intended-time corrected, as {@link EndToEndLatency}); off
 *   and on are two brokers taking turns in blocks, so both see the same stretch of this machine's noise.</li>
 * </ol>
 * <pre>
 *   ./portask perf writebehind [--records 1000000] [--rate 100000] [--seconds 10] [--partitions 4]
 *                              [--messages 100000] [--warmup 20000] [--interval-us 100]
 * </pre>
 */
public final class WriteBehindBenchmark
{
    private static final int LATENCY_BLOCKS = 10;
    private static final int VALUE_BYTES = 100;

    private WriteBehindBenchmark()
    {
    }

    /**
     * @param args options, see the class comment.
     * @throws Exception when a run fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, Long> options = new java.util.HashMap<>(Map.of("records", 1_000_000L, "rate", 100_000L,
            "seconds", 10L, "partitions", 4L, "messages", 100_000L, "warmup", 20_000L, "interval-us", 100L));
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            final String name = args[i].replaceFirst("^--", "");
            if (!options.containsKey(name))
            {
                throw new IllegalArgumentException("unknown option " + args[i] + "; known: " + options.keySet());
            }
            options.put(name, Long.parseLong(args[i + 1]));
        }
        final Path work = Files.createTempDirectory("portask-wb-bench");
        try (RedisServer redis = new RedisServer(work.resolve("redis"), null).start())
        {
            System.out.printf(Locale.ROOT, "conditions: JDK %s, %d cores, redis-server on loopback (no persistence), " +
                "broker SHARED/backoff, ack=journal, %d-byte values, %d partitions%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), VALUE_BYTES, options.get("partitions"));
            throughput(redis, options.get("records"), options.get("partitions").intValue());
            steadyLag(redis, options.get("rate"), options.get("seconds"), options.get("partitions").intValue());
            latency(redis, options.get("messages").intValue(), options.get("warmup").intValue(),
                TimeUnit.MICROSECONDS.toNanos(options.get("interval-us")));
        }
        finally
        {
            IoUtil.delete(work.toFile(), true);
        }
    }

    private static DragonflyContext dragonfly(final RedisServer redis)
    {
        return new DragonflyContext().host("127.0.0.1").port(redis.port());
    }

    private static Broker broker(final RedisServer redis, final File dataDir, final int partitions)
    {
        final Broker broker = Broker.launch(new BrokerContext().port(0).dataDir(dataDir).dragonfly(dragonfly(redis)));
        try (Admin admin = Admin.connect("127.0.0.1:" + broker.port()))
        {
            admin.createTopic("wb", partitions, StorageKind.JOURNAL);
        }
        return broker;
    }

    private static Map<String, Long> counters(final Broker broker)
    {
        return CountersFile.read(new File(broker.aeronDirectoryName()));
    }

    private static long lagRecords(final Broker broker, final int partitions)
    {
        final Map<String, Long> counters = counters(broker);
        long lag = 0;
        for (int p = 0; p < partitions; p++)
        {
            lag += counters.getOrDefault("write-behind lag records: wb/" + p, 0L);
        }
        return lag;
    }

    static void throughput(final RedisServer redis, final long records, final int partitions) throws Exception
    {
        final File dataDir = Files.createTempDirectory("portask-wb-throughput").toFile();
        try (Broker broker = broker(redis, dataDir, partitions);
            Producer producer = Producer.builder("127.0.0.1:" + broker.port()).lingerMs(1).batchBytes(64 * 1024)
                .maxInFlight(64).build())
        {
            final byte[] value = new byte[VALUE_BYTES];
            final long start = System.nanoTime();
            for (long i = 0; i < records; i++)
            {
                producer.send(new TopicPartition("wb", (int)(i % partitions)), null, value, List.of());
            }
            producer.flush();
            final long produced = System.nanoTime();
            while (counters(broker).getOrDefault("write-behind records", 0L) < records)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            final long confirmed = System.nanoTime();
            final long bytes = counters(broker).getOrDefault("write-behind bytes", 0L);
            final double seconds = (confirmed - start) / 1e9;
            System.out.printf(Locale.ROOT, "%nthroughput: %,d records produced in %.2f s (%,.0f records/s); " +
                "all confirmed by Dragonfly %.2f s after the first send: %,.0f records/s, %.1f MB/s of batches%n",
                records, (produced - start) / 1e9, records / ((produced - start) / 1e9), seconds, records / seconds,
                bytes / seconds / 1e6);
        }
        finally
        {
            IoUtil.delete(dataDir, true);
        }
    }

    static void steadyLag(final RedisServer redis, final long rate, final long seconds, final int partitions)
        throws Exception
    {
        final File dataDir = Files.createTempDirectory("portask-wb-lag").toFile();
        try (Broker broker = broker(redis, dataDir, partitions);
            Producer producer = Producer.builder("127.0.0.1:" + broker.port()).lingerMs(1).batchBytes(64 * 1024)
                .maxInFlight(64).build())
        {
            final byte[] value = new byte[VALUE_BYTES];
            final Histogram lag = new Histogram(3);
            final long start = System.nanoTime();
            final long end = start + TimeUnit.SECONDS.toNanos(seconds);
            long sent = 0;
            long nextSample = start + TimeUnit.MILLISECONDS.toNanos(100);
            long maxBehind = 0;
            while (System.nanoTime() < end)
            {
                final long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
                while (sent < due)
                {
                    producer.send(new TopicPartition("wb", (int)(sent % partitions)), null, value, List.of());
                    sent++;
                }
                maxBehind = Math.max(maxBehind, due - sent);
                if (System.nanoTime() >= nextSample)
                {
                    lag.recordValue(lagRecords(broker, partitions));
                    nextSample += TimeUnit.MILLISECONDS.toNanos(100);
                }
                LockSupport.parkNanos(100_000);
            }
            producer.flush();
            final long drainStart = System.nanoTime();
            final long drainLimit = Duration.ofSeconds(60).toNanos();
            while (lagRecords(broker, partitions) > 0 && System.nanoTime() - drainStart < drainLimit)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            System.out.printf(Locale.ROOT, "%nsteady lag at %,d records/s for %d s (%,d sent): write-behind lag in " +
                "records, sampled every 100 ms: p50 %,d, p99 %,d, max %,d, mean %,.0f; drained %d ms after the " +
                "last send%n", rate, seconds, sent, lag.getValueAtPercentile(50), lag.getValueAtPercentile(99),
                lag.getMaxValue(), lag.getMean(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainStart));
        }
        finally
        {
            IoUtil.delete(dataDir, true);
        }
    }

    static void latency(final RedisServer redis, final int messages, final int warmup, final long intervalNs)
        throws Exception
    {
        final Histogram off = new Histogram(3);
        final Histogram on = new Histogram(3);
        try (PacedTarget withoutIt = PacedTarget.launch(ThreadingMode.SHARED, IdleStrategyKind.BACKOFF, null,
            StorageKind.JOURNAL, VALUE_BYTES);
            PacedTarget withIt = PacedTarget.launch(ThreadingMode.SHARED, IdleStrategyKind.BACKOFF, dragonfly(redis),
                StorageKind.JOURNAL, VALUE_BYTES))
        {
            // in turns, so the VM's drifting noise falls on both alike; each block on a fresh connection, warmed
            for (int block = 0; block < LATENCY_BLOCKS; block++)
            {
                final int blockWarmup = 0 == block ? warmup : warmup / LATENCY_BLOCKS;
                final Histogram offBlock = withoutIt.run(blockWarmup, messages / LATENCY_BLOCKS, intervalNs);
                final Histogram onBlock = withIt.run(blockWarmup, messages / LATENCY_BLOCKS, intervalNs);
                System.out.printf(Locale.ROOT, "latency block %d: write-behind off p99 %,.1f max %,.1f us, on p99 " +
                    "%,.1f max %,.1f us%n", block, offBlock.getValueAtPercentile(99) / 1e3,
                    offBlock.getMaxValue() / 1e3, onBlock.getValueAtPercentile(99) / 1e3, onBlock.getMaxValue() / 1e3);
                off.add(offBlock);
                on.add(onBlock);
            }
        }
        final Histogram only = EndToEndLatency.produceAck(ThreadingMode.SHARED, IdleStrategyKind.BACKOFF,
            dragonfly(redis), StorageKind.DRAGONFLY, VALUE_BYTES, warmup, messages, intervalNs);
        System.out.printf(Locale.ROOT, "%nproduce-ack latency, one send every %d us, %,d measured after %,d warm-up; " +
            "write-behind off and on: two brokers in turns, %d blocks of %,d each%n",
            TimeUnit.NANOSECONDS.toMicros(intervalNs), messages, warmup, LATENCY_BLOCKS, messages / LATENCY_BLOCKS);
        EndToEndLatency.report(System.out, "write-behind off vs on", "write-behind off us", off, "write-behind on us",
            on);
        EndToEndLatency.report(System.out, "journal (write-behind off) vs Dragonfly-only topic", "journal us", off,
            "dragonfly-only us", only);
    }
}
