package io.portask.perf.load;

import io.portask.client.Producer;
import io.portask.client.TopicPartition;
import io.portask.protocol.sbe.AckLevel;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The load scenarios. Each measures its floor first (the raw TCP ping-pong, same size and idle strategy), then
 * drives the broker, and adds its series, throughputs and conditions to the run's result.
 */
final class Scenarios
{
    /** Time an open-loop run may take beyond its schedule before it is called unable to keep up. */
    private static final long GRACE_NS = TimeUnit.SECONDS.toNanos(30);
    private static final String ACK = "produce-ack";
    /** The size sweep's default rate: 64 KiB every millisecond is already 65 MB/s into the journal. */
    private static final long SWEEP_RATE = 1_000;
    /**
     * Round trips, closed loop, before a paced one-in-flight run: enough for C2 to compile the broker's paths.
     * A warm-up of 1,250 paced at 1 ms left 70-140 ms stalls in half the runs (compilations landing in the
     * measured phase); after 20,000 fast ones, none in four runs.
     */
    static final int PACED_WARMUP = 20_000;
    /** The throughput scenario's default: enough for a measured phase of a second or more. */
    private static final int THROUGHPUT_MESSAGES = 1_000_000;

    private Scenarios()
    {
    }

    /**
     * Closed loop: one produce in flight, the next sent the moment the last is acknowledged; latency is the round
     * trip. Measures service time, not behaviour under a given load.
     */
    static void closedLoop(final LoadRun run) throws IOException
    {
        final LoadOptions o = requireAck(run.options);
        run.result.conditions().with("load", "closed loop, one in flight").with("ack", name(o.ack))
            .with("storage", name(o.storage)).with("size", o.size + " B").with("messages", o.messages + " after " +
            o.messages / 4 + " warm-up");
        final Series floor = run.floor("raw TCP ping-pong", 0, o.size, o.messages);
        final String topic = run.target.createTopic("closed", 1, o);
        try (Progress progress = run.progress("closed-loop"))
        {
            if (null == o.sdkIdle)
            {
                run.result.conditions().with("client", "raw Produce frames on a non-blocking socket, spinning");
                PacedPingClient.run(run.target.port(), ProduceFrame.of(topic, 0, o.ack, o.size),
                    ProduceFrame.RESPONSE_LENGTH, o.messages / 4, o.messages, 0, progress.tracker(ACK),
                    progress.sent(), run::measuring);
            }
            else
            {
                sdkClosedLoop(run, topic, progress);
            }
            final long elapsed = System.nanoTime() - run.measuredStartNs();
            run.result.add(new Series(ACK, progress.total(ACK), floor))
                .add(new Throughput("round trips", o.messages, (long)o.messages * o.size, elapsed));
        }
    }

    /**
     * The closed loop through the client SDK ({@code --sdk IDLE}): {@code Producer.sendSync} one record at a time,
     * no linger, the producer waiting as the client idle mode says.
     */
    private static void sdkClosedLoop(final LoadRun run, final String topic, final Progress progress)
    {
        final LoadOptions o = run.options;
        run.result.conditions().with("client", "SDK Producer.sendSync, linger 0, client idle " + name(o.sdkIdle));
        final TopicPartition partition = new TopicPartition(topic, 0);
        final byte[] value = new byte[o.size];
        final LatencyTracker tracker = progress.tracker(ACK);
        try (Producer producer = Producer.builder(run.target.bootstrap()).ackLevel(o.ack).lingerMs(0)
            .idle(o.sdkIdle).build())
        {
            final int warmup = o.messages / 4;
            for (int i = 0; i < warmup + o.messages; i++)
            {
                if (i == warmup)
                {
                    run.measuring();
                }
                final long startNs = System.nanoTime();
                producer.sendSync(partition, null, value, List.of());
                progress.sent().incrementAndGet();
                if (i >= warmup)
                {
                    tracker.record(System.nanoTime() - startNs);
                }
            }
        }
    }

    /**
     * Open loop: produce at a fixed rate, pipelined, whatever the answers do; latency from each message's
     * intended send time.
     */
    static void openLoop(final LoadRun run) throws IOException
    {
        final LoadOptions o = requireAck(run.options);
        openLoopConditions(run, o, 1, o.partitions, 0);
        final Series floor = run.floor("raw TCP ping-pong", o.intervalNs(), o.size, o.scheduledMessages());
        final String topic = run.target.createTopic("open", o.partitions, o);
        try (Progress progress = run.progress("open-loop"))
        {
            final Schedule schedule = Schedule.ofRate(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10), o.rate);
            try (OpenLoopProducer producer = new OpenLoopProducer(run.target.port(), topic, range(o.partitions, 0),
                o.ack, o.size, schedule, o.warmupMessages(), o.scheduledMessages(), progress.tracker(ACK),
                progress.sent()))
            {
                run.measuringAt(schedule.intendedNs(o.warmupMessages()));
                producer.await(scheduleNs(o) + GRACE_NS);
            }
            final long elapsed = System.nanoTime() - run.measuredStartNs();
            run.result.add(new Series(ACK, progress.total(ACK), floor))
                .add(new Throughput("produced", o.scheduledMessages(), o.scheduledMessages() * o.size, elapsed));
        }
    }

    /**
     * Produce -> broker -> consumer: one open-loop producer and one consumer, first by push subscription, then by
     * long-poll fetch; latency from the intended send time to the consumer's poll returning the record.
     */
    static void endToEnd(final LoadRun run) throws IOException
    {
        final LoadOptions o = run.options;
        openLoopConditions(run, o, 1, 1, 1);
        final Series floor = run.floor("raw TCP ping-pong", o.intervalNs(), o.size, o.scheduledMessages());
        fanOut(run, floor, 1, 1, 1, StampConsumer.Via.PUSH, " push");
        fanOut(run, floor, 1, 1, 1, StampConsumer.Via.FETCH, " fetch");
    }

    /**
     * N open-loop producers x M partitions x K consumers, the rate split evenly among producers; ack latencies
     * merged over the producers, end-to-end latencies over the consumers.
     */
    static void fan(final LoadRun run) throws IOException
    {
        final LoadOptions o = run.options;
        openLoopConditions(run, o, o.producers, o.partitions, o.consumers);
        run.result.conditions().with("via", name(o.via));
        final Series floor = run.floor("raw TCP ping-pong", o.intervalNs(), o.size, o.scheduledMessages());
        fanOut(run, floor, o.producers, o.partitions, o.consumers, o.via, "");
    }

    private static void fanOut(
        final LoadRun run,
        final Series floor,
        final int producerCount,
        final int partitionCount,
        final int consumerCount,
        final StampConsumer.Via via,
        final String suffix) throws IOException
    {
        final LoadOptions o = run.options;
        final String topic = run.target.createTopic("fan", partitionCount, o);
        final long perProducer = Math.max(1, o.scheduledMessages() / producerCount);
        final long warmupPerProducer = o.warmupMessages() / producerCount;
        final long total = perProducer + warmupPerProducer;
        final String e2e = "end-to-end" + suffix;
        final String ack = ACK + suffix;
        try (Progress progress = run.progress("fan " + producerCount + "x" + partitionCount + "x" + consumerCount +
            suffix))
        {
            final List<StampConsumer> consumers = new ArrayList<>();
            final List<OpenLoopProducer> producers = new ArrayList<>();
            try
            {
                for (int k = 0; k < consumerCount; k++)
                {
                    final List<TopicPartition> assigned = new ArrayList<>();
                    long expected = 0;
                    for (int p = k; p < partitionCount; p += consumerCount)
                    {
                        assigned.add(new TopicPartition(topic, p));
                        for (int i = 0; i < producerCount; i++)
                        {
                            expected += sentTo(total, Math.floorMod(p - i, partitionCount), partitionCount);
                        }
                    }
                    consumers.add(new StampConsumer(run.target.bootstrap(), assigned, via, expected,
                        warmupPerProducer, progress.tracker(e2e)));
                }
                final long intervalNs = 1_000_000_000L * producerCount / o.rate;
                final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
                for (int i = 0; i < producerCount; i++)
                {
                    final Schedule schedule = new Schedule(start + i * intervalNs / producerCount, intervalNs);
                    producers.add(new OpenLoopProducer(run.target.port(), topic, range(partitionCount, i),
                        o.ack, o.size, schedule, warmupPerProducer, perProducer,
                        progress.tracker(ack), progress.sent()));
                }
                final long measuredStart = start + warmupPerProducer * intervalNs;
                run.measuringAt(measuredStart);
                for (final OpenLoopProducer producer : producers)
                {
                    producer.await(scheduleNs(o) + GRACE_NS);
                }
                for (final StampConsumer consumer : consumers)
                {
                    consumer.await(GRACE_NS);
                }
                final long elapsed = System.nanoTime() - measuredStart;
                if (AckLevel.NONE != o.ack)
                {
                    run.result.add(new Series(ack, progress.total(ack), floor));
                }
                run.result.add(new Series(e2e, progress.total(e2e), floor));
                final long consumed = consumers.stream().mapToLong(StampConsumer::received).sum();
                final long consumedBytes = consumers.stream().mapToLong(StampConsumer::receivedBytes).sum();
                run.result.add(new Throughput("produced" + suffix, perProducer * producerCount,
                    perProducer * producerCount * o.size, elapsed))
                    .add(new Throughput("consumed" + suffix + " (warm-up included)", consumed, consumedBytes,
                    elapsed + warmupPerProducer * intervalNs));
            }
            finally
            {
                for (final OpenLoopProducer producer : producers)
                {
                    producer.close();
                }
                consumers.forEach(StampConsumer::close);
            }
        }
    }

    /**
     * Throughput with batching: the client SDK's Producer gathering records into batches ({@code --batch-bytes},
     * {@code --linger-ms}), as fast as a window of unacknowledged records lets it; latency is send to ack.
     */
    static void throughput(final LoadRun run) throws IOException
    {
        final LoadOptions o = requireAck(run.options);
        final int messages = o.messages(THROUGHPUT_MESSAGES);
        run.result.conditions().with("load", "client SDK Producer, as fast as a window of " + o.window +
            " unacknowledged records per producer allows").with("producers", Integer.toString(o.producers))
            .with("partitions", Integer.toString(o.partitions)).with("batch", o.batchBytes + " B")
            .with("linger", o.lingerMs + " ms").with("ack", name(o.ack)).with("storage", name(o.storage))
            .with("size", o.size + " B").with("messages", messages + " after " + messages / 4 + " warm-up")
            .with("compression", name(o.compression)).with("payload", name(o.payload));
        final Series floor = run.floor("raw TCP ping-pong", 0, o.size, messages);
        final String topic = run.target.createTopic("throughput", o.partitions, o);
        final long bytesInBefore = run.target.bytesIn();
        try (Progress progress = run.progress("throughput"))
        {
            final List<Thread> threads = new ArrayList<>();
            final List<Throwable> failures = new CopyOnWriteArrayList<>();
            for (int i = 0; i < o.producers; i++)
            {
                final LatencyTracker tracker = progress.tracker("send-to-ack");
                final Thread thread = new Thread(() -> sendBatched(run, topic, messages, tracker, progress, failures),
                    "load-sdk-producer-" + i);
                thread.start();
                threads.add(thread);
            }
            join(threads);
            final long elapsed = System.nanoTime() - run.measuredStartNs();
            if (!failures.isEmpty())
            {
                throw new IOException("a producer failed: " + failures.get(0), failures.get(0));
            }
            final long measured = (long)messages * o.producers;
            run.result.add(new Series("send-to-ack (batched)", progress.total("send-to-ack"), floor))
                .add(new Throughput("produced", measured, measured * o.size, elapsed));
            final long bytesIn = run.target.bytesIn() - bytesInBefore;
            if (bytesInBefore >= 0)
            {
                run.result.note(String.format(Locale.ROOT, "bytes on the wire per record: %.1f (%d-byte values, " +
                    "frames and batch headers included; broker's bytes-in over warm-up and measured records)",
                    (double)bytesIn / ((messages + messages / 4) * (long)o.producers), o.size));
            }
        }
    }

    private static void sendBatched(
        final LoadRun run,
        final String topic,
        final int messages,
        final LatencyTracker tracker,
        final Progress progress,
        final List<Throwable> failures)
    {
        final LoadOptions o = run.options;
        final Semaphore window = new Semaphore(o.window);
        final Payloads values = new Payloads(o.payload, o.size);
        try (Producer producer = Producer.builder(run.target.bootstrap())
            .ackLevel(o.ack).batchBytes(o.batchBytes).lingerMs(o.lingerMs).compression(o.compression).build())
        {
            final int warmup = messages / 4;
            for (int i = 0; i < warmup + messages && failures.isEmpty(); i++)
            {
                if (i == warmup)
                {
                    producer.flush();
                    run.measuring();
                }
                window.acquire();
                final long sentNs = System.nanoTime();
                final boolean record = i >= warmup;
                producer.send(topic, null, values.next(), List.of()).whenComplete((stored, error) ->
                {
                    window.release();
                    if (null != error)
                    {
                        failures.add(error);
                    }
                    else if (record)
                    {
                        tracker.record(System.nanoTime() - sentNs);
                    }
                });
                progress.sent().incrementAndGet();
            }
            producer.flush();
        }
        catch (final Throwable ex)
        {
            failures.add(ex);
        }
    }

    /**
     * Message size sweep: for each size, the floor and the produce-ack round trip at that size, one in flight on
     * the {@code --rate} schedule (1,000 per second unless given).
     */
    static void sizeSweep(final LoadRun run) throws IOException
    {
        final LoadOptions o = requireAck(run.options);
        final long intervalNs = 1_000_000_000L / o.rate(SWEEP_RATE);
        final int count = Math.min(o.messages, LoadRun.MAX_FLOOR_MESSAGES);
        run.result.conditions().with("load", "one in flight, one send every " + intervalNs / 1000 + " us")
            .with("ack", name(o.ack)).with("storage", name(o.storage))
            .with("sizes", Arrays.toString(o.sizes) + " B").with("messages", count + " per size after " +
            PACED_WARMUP + " closed-loop warm-up");
        run.measuring();
        for (final int size : o.sizes)
        {
            final String label = sizeLabel(size);
            final Series floor = run.floor("raw TCP ping-pong " + label, intervalNs, size, count);
            final String topic = run.target.createTopic("size", 1, o);
            try (Progress progress = run.progress("size " + label))
            {
                final String name = ACK + " " + label;
                PacedPingClient.run(run.target.port(), ProduceFrame.of(topic, 0, o.ack, size),
                    ProduceFrame.RESPONSE_LENGTH, PACED_WARMUP, count, intervalNs, progress.tracker(name),
                    progress.sent(), null);
                run.result.add(new Series(name, progress.total(name), floor));
            }
            catch (final PacedPingClient.FellBehindException ex)
            {
                run.result.note(label + ": " + ex.getMessage());
            }
        }
    }

    static String sizeLabel(final int size)
    {
        return size >= 1024 && size % 1024 == 0 ? size / 1024 + " KiB" : size + " B";
    }

    /**
     * @param total    messages a producer sends, round-robin over partitions starting at its own offset.
     * @param residue  position of the partition in that producer's rotation.
     * @param modulus  partitions.
     * @return how many of the producer's messages go to that partition.
     */
    static long sentTo(final long total, final int residue, final int modulus)
    {
        return total > residue ? (total - residue - 1) / modulus + 1 : 0;
    }

    private static int[] range(final int partitions, final int rotation)
    {
        final int[] order = new int[partitions];
        for (int j = 0; j < partitions; j++)
        {
            order[j] = (j + rotation) % partitions;
        }
        return order;
    }

    private static void openLoopConditions(
        final LoadRun run, final LoadOptions o, final int producers, final int partitions, final int consumers)
    {
        run.result.conditions()
            .with("load", "open loop, " + String.format(Locale.ROOT, "%,d", o.rate) + " msg/s in all, pipelined, " +
                "latency from intended send time")
            .with("client idle", "sender parks until 50 us before each due time, then spins; readers block")
            .with("producers", Integer.toString(producers)).with("partitions", Integer.toString(partitions))
            .with("consumers", Integer.toString(consumers)).with("ack", name(o.ack))
            .with("storage", name(o.storage)).with("size", o.size + " B")
            .with("duration", o.durationS + " s after " + o.warmupS + " s warm-up");
    }

    private static LoadOptions requireAck(final LoadOptions options)
    {
        if (AckLevel.NONE == options.ack)
        {
            throw new IllegalArgumentException("--ack none has no acknowledgement to time: use memory, journal " +
                "or sync (or the fan/e2e scenarios, which time consumers)");
        }
        return options;
    }

    private static long scheduleNs(final LoadOptions o)
    {
        return (long)((o.durationS + o.warmupS) * 1e9);
    }

    private static void join(final List<Thread> threads) throws IOException
    {
        try
        {
            for (final Thread thread : threads)
            {
                thread.join();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        }
    }

    private static String name(final Enum<?> value)
    {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
