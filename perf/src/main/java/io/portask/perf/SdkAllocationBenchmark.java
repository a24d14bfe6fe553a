package io.portask.perf;

import io.portask.client.Admin;
import io.portask.client.Consumer;
import io.portask.client.OffsetReset;
import io.portask.client.Producer;
import io.portask.client.RecordHandler;
import io.portask.client.SendCallback;
import io.portask.client.TopicPartition;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the client SDK's lean paths allocate, with the broker in a process of its own (so the gc profiler's
 * gc.alloc.rate.norm is the SDK's alone: the calling thread, the sender and the reader): {@code send} of a
 * 100-byte record copied from a reused direct buffer and answered through a callback, one in flight (the
 * trading case: every send ships its own batch) or up to 1,000 in flight; and {@code poll} through the reusable
 * {@link io.portask.client.RecordView}, over a partition of 100,000 records read round and round (per poll).
 * Memory topic, ack=memory, the broker's shared thread with backoff idling.
 */
@State(Scope.Benchmark)
public class SdkAllocationBenchmark extends BenchmarkBase
{
    private static final TopicPartition PARTITION = new TopicPartition("alloc", 0);
    private static final int READ_RECORDS = 100_000;

    @Param({ "1", "1000" })
    private int inFlight;

    private final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(100));
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final SendCallback callback = (partition, offset, error) ->
    {
        if (null != error)
        {
            failed.incrementAndGet();
        }
        answered.incrementAndGet();
    };
    private long sent;
    private long consumed;
    private final RecordHandler handler = record -> consumed += record.valueLength();
    private Path dataDir;
    private BrokerProcess broker;
    private Producer producer;
    private Consumer consumer;

    /**
     * Start the broker process, make the topic, fill it for the reads, connect both ends.
     *
     * @throws Exception when the broker cannot start.
     */
    @Setup(Level.Trial)
    public void setup() throws Exception
    {
        dataDir = Files.createTempDirectory("portask-sdk-alloc");
        broker = new BrokerProcess(dataDir.resolve("data"), "-Dportask.threading.mode=SHARED",
            "-Dportask.idle.strategy=BACKOFF").start();
        try (Admin admin = Admin.connect(broker.bootstrap()))
        {
            admin.createTopic(PARTITION.topic(), 1, StorageKind.MEMORY);
        }
        producer = Producer.builder(broker.bootstrap()).ackLevel(AckLevel.MEMORY).lingerMs(0).build();
        for (int i = 0; i < READ_RECORDS; i++)
        {
            send();
        }
        awaitAnswers();
        consumer = Consumer.builder(broker.bootstrap()).autoOffsetReset(OffsetReset.EARLIEST).build();
        consumer.assign(PARTITION);
    }

    /**
     * Wait for the last answers, stop everything.
     *
     * @throws InterruptedException when interrupted stopping the broker.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException
    {
        awaitAnswers();
        consumer.close();
        producer.close();
        broker.stop();
        IoUtil.delete(dataDir.toFile(), true);
        if (failed.get() > 0)
        {
            throw new IllegalStateException(failed.get() + " sends failed");
        }
    }

    /**
     * Send one record through the callback path, with at most {@code inFlight} unanswered.
     */
    @Benchmark
    public void send()
    {
        while (sent - answered.get() >= inFlight)
        {
            Thread.onSpinWait();
        }
        sent++;
        producer.send(PARTITION, null, 0, 0, value, 0, value.capacity(), callback);
    }

    /**
     * One poll through the record view; back to the start when the partition is read to its end.
     *
     * @return the bytes read so far, so the reads are not optimised away.
     */
    @Benchmark
    public long poll()
    {
        if (0 == consumer.poll(Duration.ofMillis(100), handler))
        {
            consumer.seek(PARTITION, 0);
        }
        return consumed;
    }

    private void awaitAnswers()
    {
        while (answered.get() < sent)
        {
            Thread.onSpinWait();
        }
    }
}
