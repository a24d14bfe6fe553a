package io.portask.perf;

import io.portask.client.Admin;
import io.portask.client.Consumer;
import io.portask.client.ConsumerRecord;
import io.portask.client.OffsetReset;
import io.portask.client.Producer;
import io.portask.client.TopicPartition;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import org.agrona.IoUtil;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code portask perf crash [--cycles 100] [--rate 5000] [--partitions 4] [--max-run-ms 3000] [--seed S]}: a real
 * broker process killed with SIGKILL at random moments under load, {@code cycles} times, restarted each time on
 * the same data folder. One idempotent producer (ack level JOURNAL, retrying through every outage) sends about
 * {@code rate} numbered records a second to a JOURNAL topic throughout. After each restart the campaign waits for
 * the first new ack, then pauses the producer until everything sent is answered and reads every partition from
 * offset 0: every acked record must be there exactly once, at the offset its ack named, offsets dense, each
 * partition in send order ({@link CrashLedger}). A send that failed for good may be present once or absent. The
 * report (stdout and {@code report.md} in the run's folder) gives the counts, the restart and first-ack times and
 * every violation; the exit code is 1 when there was one. The data folder is kept when a check fails.
 */
public final class CrashCampaign
{
    static final String TOPIC = "crash";

    private final int partitions;
    private final int rate;
    private final CrashLedger ledger;
    private final AtomicLong sent = new AtomicLong();
    private volatile long lastAckNs;
    private volatile boolean paused;
    private volatile boolean pacerIdle;
    private volatile boolean running = true;

    private CrashCampaign(final int cycles, final int rate, final int partitions, final int maxRunMs)
    {
        this.partitions = partitions;
        this.rate = rate;
        final long budget = (long)rate * cycles * (maxRunMs / 1000 + 10);
        this.ledger = new CrashLedger(partitions, (int)Math.min(Integer.MAX_VALUE - 8, budget));
    }

    /**
     * @param args options; see the class comment.
     * @throws Exception when the campaign cannot run.
     */
    public static void main(final String[] args) throws Exception
    {
        int cycles = 100;
        int rate = 5_000;
        int partitions = 4;
        int maxRunMs = 3_000;
        long seed = System.nanoTime();
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--cycles" -> cycles = Integer.parseInt(args[i + 1]);
                case "--rate" -> rate = Integer.parseInt(args[i + 1]);
                case "--partitions" -> partitions = Integer.parseInt(args[i + 1]);
                case "--max-run-ms" -> maxRunMs = Integer.parseInt(args[i + 1]);
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] +
                    " (--cycles, --rate, --partitions, --max-run-ms, --seed)");
            }
        }
        final Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "portask-crash");
        final boolean sound = run(cycles, rate, partitions, maxRunMs, seed, dir, System.out);
        System.exit(sound ? 0 : 1);
    }

    /**
     * Run a campaign in {@code dir}; the data folder is deleted when every check passed.
     *
     * @return true when no check found a violation.
     */
    static boolean run(final int cycles, final int rate, final int partitions, final int maxRunMs, final long seed,
        final Path dir, final PrintStream out) throws Exception
    {
        final CrashCampaign campaign = new CrashCampaign(cycles, rate, partitions, maxRunMs);
        final CrashReport report = new CrashReport(cycles, rate, partitions, maxRunMs, seed);
        final SplittableRandom random = new SplittableRandom(seed);
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data")).start())
        {
            try (Admin admin = Admin.connect(broker.bootstrap()))
            {
                admin.createTopic(TOPIC, partitions, StorageKind.JOURNAL);
            }
            try (Producer producer = Producer.builder(broker.bootstrap()).lingerMs(1).retries(Integer.MAX_VALUE)
                .retryBackoffMs(20).requestTimeout(Duration.ofSeconds(2)).deliveryTimeout(Duration.ofMinutes(2))
                .build())
            {
                final Thread pacer = new Thread(() -> campaign.pace(producer), "crash-pacer");
                pacer.start();
                try
                {
                    for (int cycle = 1; cycle <= cycles && report.sound(); cycle++)
                    {
                        Thread.sleep(200 + random.nextInt(Math.max(1, maxRunMs - 200)));
                        final long killedNs = System.nanoTime();
                        broker.kill();
                        broker.start();
                        final long listeningNs = System.nanoTime();
                        campaign.awaitAckAfter(listeningNs);
                        report.restart(listeningNs - killedNs, System.nanoTime() - killedNs);
                        final CrashLedger.Check check = campaign.checkAll(producer, broker.bootstrap());
                        report.check(cycle, check);
                        out.println(report.progressLine(cycle, check));
                    }
                }
                finally
                {
                    campaign.running = false;
                    pacer.join();
                }
            }
        }
        final String text = report.toMarkdown();
        out.println(text);
        Files.writeString(dir.resolve("report.md"), text);
        if (report.sound())
        {
            IoUtil.delete(dir.resolve("data").toFile(), false);
        }
        else
        {
            out.println("the data folder is kept for a look: " + dir.resolve("data"));
        }
        return report.sound();
    }

    private void pace(final Producer producer)
    {
        final int perMs = Math.max(1, rate / 1000);
        while (running)
        {
            if (paused)
            {
                pacerIdle = true;
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                continue;
            }
            pacerIdle = false;
            for (int i = 0; i < perMs && sent.get() < ledger.capacity(); i++)
            {
                final long seq = sent.getAndIncrement();
                producer.send(new TopicPartition(TOPIC, ledger.partitionOf(seq)), null, CrashLedger.value(seq),
                    List.of()).whenComplete((metadata, failure) ->
                    {
                        if (null == failure)
                        {
                            ledger.acked(seq, metadata.offset());
                            lastAckNs = System.nanoTime();
                        }
                        else
                        {
                            ledger.failed(seq);
                        }
                    });
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private void awaitAckAfter(final long sinceNs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (lastAckNs - sinceNs < 0)
        {
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException("no record acked within 2 minutes of a restart");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private CrashLedger.Check checkAll(final Producer producer, final String bootstrap)
    {
        paused = true;
        while (!pacerIdle)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        producer.flush();
        final CrashLedger.Checker checker = ledger.check(sent.get());
        try (Admin admin = Admin.connect(bootstrap);
            Consumer consumer = Consumer.builder(bootstrap).autoOffsetReset(OffsetReset.NONE).build())
        {
            long end = 0;
            for (int partition = 0; partition < partitions; partition++)
            {
                final TopicPartition tp = new TopicPartition(TOPIC, partition);
                end += admin.offsets(tp)[1];
                consumer.assign(tp);
                consumer.seek(tp, 0);
            }
            long read = 0;
            final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (read < end && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(200)))
                {
                    checker.accept(record);
                    read++;
                }
            }
        }
        paused = false;
        return checker.finish();
    }
}
