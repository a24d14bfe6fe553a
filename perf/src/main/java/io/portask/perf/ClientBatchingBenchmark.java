package io.portask.perf;

import io.portask.client.Admin;
import io.portask.client.Producer;
import io.portask.client.TopicPartition;
import io.portask.core.ThreadingMode;
import io.portask.ops.Broker;
import io.portask.ops.BrokerContext;
import io.portask.ops.IdleStrategyKind;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.StorageKind;
import org.agrona.IoUtil;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.File;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * The client SDK's batching: {@code Producer.send} of one 100-byte record into 16 KiB batches with a 1 ms linger,
 * shipped to a broker in the same fork (memory topic, ack=memory, shared threading, backoff idle), at most 10,000
 * records unacknowledged. Time per record is the producer's whole cost, amortised; the gc profiler shows what a
 * send allocates (its future and the record's place in the batch).
 */
@State(Scope.Benchmark)
public class ClientBatchingBenchmark extends BenchmarkBase
{
    private static final TopicPartition PARTITION = new TopicPartition("batching", 0);

    @Param({ "16384" })
    private int batchBytes;

    private final byte[] value = new byte[100];
    private final Semaphore window = new Semaphore(10_000);
    private File dataDir;
    private Broker broker;
    private Producer producer;

    /**
     * Start the broker, make the topic, connect the producer.
     *
     * @throws Exception when the broker cannot start.
     */
    @Setup
    public void setup() throws Exception
    {
        dataDir = Files.createTempDirectory("portask-batching").toFile();
        broker = Broker.launch(new BrokerContext().port(0).dataDir(dataDir)
            .threadingMode(ThreadingMode.SHARED).idleStrategy(IdleStrategyKind.BACKOFF));
        try (Admin admin = Admin.connect("127.0.0.1:" + broker.port()))
        {
            admin.createTopic(PARTITION.topic(), 1, StorageKind.MEMORY);
        }
        producer = Producer.builder("127.0.0.1:" + broker.port()).ackLevel(AckLevel.MEMORY)
            .batchBytes(batchBytes).lingerMs(1).build();
    }

    /**
     * Wait for the last acknowledgements, stop everything.
     */
    @TearDown
    public void tearDown()
    {
        producer.flush();
        producer.close();
        broker.close();
        IoUtil.delete(dataDir, true);
    }

    /**
     * @throws InterruptedException when interrupted waiting for the window.
     */
    @Benchmark
    public void send() throws InterruptedException
    {
        window.acquire();
        producer.send(PARTITION, null, value, List.of()).whenComplete((stored, error) -> window.release());
    }
}
