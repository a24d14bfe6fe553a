package io.portask.perf;

import io.portask.client.Admin;
import io.portask.client.Consumer;
import io.portask.client.OffsetReset;
import io.portask.client.PortaskException;
import io.portask.client.Producer;
import io.portask.client.RebalanceListener;
import io.portask.client.TopicPartition;
import io.portask.ops.CountersFile;
import io.portask.perf.load.ResultWriter;
import io.portask.perf.load.Schedule;
import io.portask.protocol.CounterIds;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import io.portask.testsupport.RedisServer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.IoUtil;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code portask perf soak [--minutes 10] [--rate 5000] [--partitions 4] [--sample-seconds 10] [--out DIR]}: a
 * real broker process writing behind to a real redis-server, fed at a steady rate by an open-loop SDK producer
 * (ack level JOURNAL; latency from each record's intended send time, so a stall counts for every record it
 * delayed) and read by a push consumer, a fetch consumer and a consumer group, for the given minutes. Every sample
 * period it records the broker's RSS (anonymous and file-backed apart, and what the memory tier holds), heap
 * retained after the last collection, open descriptors and threads
 * ({@link SoakProbe}), the produce-ack p50/p99/max of the period, throughput, each consumer's lag and the
 * write-behind lag. The summary ({@link SoakReport}) fits a line to each after the first minute and gives its
 * slope; {@code samples.csv}, {@code soak.svg} and {@code report.md} land in the results folder.
 */
public final class Soak
{
    static final String TOPIC = "soak";
    private static final int VALUE_LENGTH = 100;

    private final int rate;
    private final Recorder latency = new Recorder(3_600_000_000_000L, 3);
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong[] consumed = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
    private volatile boolean running = true;

    private Soak(final int rate)
    {
        this.rate = rate;
    }

    /**
     * @param args options; see the class comment.
     * @throws Exception when the soak cannot run.
     */
    public static void main(final String[] args) throws Exception
    {
        int minutes = 10;
        int rate = 5_000;
        int partitions = 4;
        int sampleSeconds = 10;
        Path out = Path.of("perf-results");
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--minutes" -> minutes = Integer.parseInt(args[i + 1]);
                case "--rate" -> rate = Integer.parseInt(args[i + 1]);
                case "--partitions" -> partitions = Integer.parseInt(args[i + 1]);
                case "--sample-seconds" -> sampleSeconds = Integer.parseInt(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] +
                    " (--minutes, --rate, --partitions, --sample-seconds, --out)");
            }
        }
        run(Duration.ofMinutes(minutes), rate, partitions, sampleSeconds, ResultWriter.stamped(out, "soak"),
            System.out);
        System.exit(0);
    }

    /**
     * Soak a broker for {@code duration}; results in {@code dir} (created), the broker's data in a temporary
     * folder deleted afterwards.
     *
     * @return the report.
     */
    static SoakReport run(final Duration duration, final int rate, final int partitions, final int sampleSeconds,
        final Path dir, final PrintStream out) throws Exception
    {
        Files.createDirectories(dir);
        final Path work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "portask-soak");
        final Soak soak = new Soak(rate);
        final SoakReport report = new SoakReport(String.format(Locale.ROOT, "%d s, %,d records/s of %d B " +
            "to a DRAGONFLY topic of %d partitions (journal + write-behind to a real redis-server), one open-loop " +
            "SDK producer at ack level JOURNAL, a push, a fetch and a group consumer; samples every %d s; %d cores, %s",
            duration.toSeconds(), rate, VALUE_LENGTH, partitions, sampleSeconds,
            Runtime.getRuntime().availableProcessors(), Runtime.version()));
        try (RedisServer redis = new RedisServer(work.resolve("redis"), null).start();
            BrokerProcess broker = new BrokerProcess(work.resolve("data"), "-Dportask.dragonfly.host=127.0.0.1",
                "-Dportask.dragonfly.port=" + redis.port()).start())
        {
            try (Admin admin = Admin.connect(broker.bootstrap()))
            {
                admin.createTopic(TOPIC, partitions, StorageKind.DRAGONFLY);
            }
            final List<Thread> threads = new ArrayList<>();
            threads.add(soak.start("soak-producer", () -> soak.produce(broker.bootstrap(), partitions)));
            threads.add(soak.start("soak-push", () -> soak.consume(Consumer.builder(broker.bootstrap()).build(),
                consumer -> subscribeAll(consumer, partitions), soak.consumed[0])));
            threads.add(soak.start("soak-fetch", () -> soak.consume(Consumer.builder(broker.bootstrap())
                .autoOffsetReset(OffsetReset.EARLIEST).build(), consumer -> assignAll(consumer, partitions),
                soak.consumed[1])));
            threads.add(soak.start("soak-group", () -> soak.consume(Consumer.builder(broker.bootstrap())
                .group("soak-group").autoOffsetReset(OffsetReset.EARLIEST).build(),
                consumer -> consumer.subscribe(List.of(TOPIC), new RebalanceListener()
                {
                }), soak.consumed[2])));
            try
            {
                soak.sample(broker, duration, sampleSeconds, report, out);
            }
            finally
            {
                soak.running = false;
                for (final Thread thread : threads)
                {
                    thread.join();
                }
            }
        }
        finally
        {
            IoUtil.delete(work.toFile(), true);
        }
        report.write(dir);
        out.println(report.toMarkdown());
        out.println("results: " + dir.toAbsolutePath() + " (report.md, samples.csv, soak.svg)");
        return report;
    }

    private void sample(final BrokerProcess broker, final Duration duration, final int sampleSeconds,
        final SoakReport report, final PrintStream out) throws Exception
    {
        final SoakProbe probe = new SoakProbe(broker.pid());
        final long startNs = System.nanoTime();
        final long periodNs = TimeUnit.SECONDS.toNanos(sampleSeconds);
        long lastAcked = 0;
        final long warmupSeconds = Math.min(60, duration.toSeconds() / 3);
        boolean warm = false;
        latency.reset();
        for (long due = startNs + periodNs; due - startNs <= duration.toNanos(); due += periodNs)
        {
            while (System.nanoTime() < due)
            {
                LockSupport.parkNanos(due - System.nanoTime());
            }
            final Histogram period = latency.getIntervalHistogram();
            final long ackedNow = acked.get();
            final Map<Integer, Long> counters = CountersFile.sumByType(broker.dataDir().resolve("aeron").toFile());
            final Long writeBehindLag = counters.get(CounterIds.WRITE_BEHIND_LAG_RECORDS);
            final SoakProbe.Resident resident = probe.resident();
            final long seconds = TimeUnit.NANOSECONDS.toSeconds(due - startNs);
            final SoakReport.Sample sample = new SoakReport.Sample(seconds, resident.rssKb(), resident.anonKb(),
                resident.fileKb(), counters.getOrDefault(CounterIds.MEMORY_BYTES_HELD, 0L) / 1024,
                probe.heapAfterGcKb(), probe.fds(),
                probe.threads(), period.getValueAtPercentile(50) / 1000, period.getValueAtPercentile(99) / 1000,
                period.getMaxValue() / 1000, (ackedNow - lastAcked) / sampleSeconds,
                ackedNow - consumed[0].get(), ackedNow - consumed[1].get(), ackedNow - consumed[2].get(),
                null == writeBehindLag ? 0 : writeBehindLag);
            lastAcked = ackedNow;
            report.add(sample);
            out.println(sample.line());
            // a full collection each, so twice only: when the trends start, and at the end under the same load
            if (!warm && seconds >= warmupSeconds || due + periodNs - startNs > duration.toNanos())
            {
                warm = true;
                report.liveHeap(seconds, probe.liveHeap());
            }
        }
        report.failed(failed.get());
    }

    private Thread start(final String name, final ThrowingRunnable body)
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                body.run();
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(name + " failed", ex);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void produce(final String bootstrap, final int partitions)
    {
        final byte[] value = new byte[VALUE_LENGTH];
        try (Producer producer = Producer.builder(bootstrap).lingerMs(1).build())
        {
            final Schedule schedule = Schedule.ofRate(System.nanoTime(), rate);
            for (long seq = 0; running; seq++)
            {
                final long intendedNs = schedule.intendedNs(seq);
                long now;
                while ((now = System.nanoTime()) < intendedNs)
                {
                    LockSupport.parkNanos(intendedNs - now);
                }
                producer.send(new TopicPartition(TOPIC, (int)(seq % partitions)), null, value, List.of())
                    .whenComplete((metadata, failure) ->
                    {
                        if (null == failure)
                        {
                            latency.recordValue(Math.max(1, System.nanoTime() - intendedNs));
                            acked.incrementAndGet();
                        }
                        else
                        {
                            failed.incrementAndGet();
                        }
                    });
            }
        }
    }

    private void consume(final Consumer consumer, final Attach attach, final AtomicLong count)
    {
        try (consumer)
        {
            boolean attached = false;
            while (running)
            {
                try
                {
                    if (!attached)
                    {
                        attach.to(consumer);
                        attached = true;
                    }
                    count.addAndGet(consumer.poll(Duration.ofMillis(100)).size());
                }
                catch (final PortaskException ex)
                {
                    if (!ex.isRetriable())
                    {
                        throw ex;
                    }
                    // e.g. a DRAGONFLY partition still opening its storage: as a user would, try again
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
            }
        }
    }

    private static void subscribeAll(final Consumer consumer, final int partitions)
    {
        for (int partition = 0; partition < partitions; partition++)
        {
            consumer.subscribe(new TopicPartition(TOPIC, partition), 0);
        }
    }

    private static void assignAll(final Consumer consumer, final int partitions)
    {
        for (int partition = 0; partition < partitions; partition++)
        {
            consumer.assign(new TopicPartition(TOPIC, partition));
        }
    }

    private interface Attach
    {
        void to(Consumer consumer);
    }

    private interface ThrowingRunnable
    {
        void run() throws Exception;
    }
}
