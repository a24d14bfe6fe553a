package io.portask.perf.load;

import io.portask.client.Consumer;
import io.portask.client.ConsumerRecord;
import io.portask.client.TopicPartition;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A consumer on its own thread, reading with the client SDK by push subscription or by long-poll fetch, that
 * records for each record the time from its intended send time (stamped in the value by
 * {@link OpenLoopProducer}) to when {@code poll} handed it over: the end-to-end latency producer -> broker ->
 * consumer. Records whose sequence is below the warm-up are counted but not recorded.
 */
final class StampConsumer implements AutoCloseable
{
    /** How records reach the consumer. */
    enum Via
    {
        /** The broker pushes as records arrive, paced by credit. */
        PUSH,
        /** The consumer long-polls with fetch requests. */
        FETCH
    }

    private final Consumer consumer;
    private final long expected;
    private final long warmup;
    private final LatencyTracker latencies;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong receivedBytes = new AtomicLong();
    private final Thread thread;
    private volatile Throwable failure;
    private volatile boolean running = true;

    /**
     * @param bootstrap  "host:port".
     * @param partitions partitions this consumer reads, from their current end.
     * @param via        push or fetch.
     * @param expected   records to receive before the thread ends.
     * @param warmup     sequence numbers below this are not recorded.
     * @param latencies  where end-to-end latencies go, written by this consumer's thread only.
     */
    StampConsumer(
        final String bootstrap,
        final List<TopicPartition> partitions,
        final Via via,
        final long expected,
        final long warmup,
        final LatencyTracker latencies)
    {
        this.consumer = Consumer.builder(bootstrap).build();
        this.expected = expected;
        this.warmup = warmup;
        this.latencies = latencies;
        if (Via.PUSH == via)
        {
            partitions.forEach(partition -> consumer.subscribe(partition, -1));
        }
        else
        {
            consumer.assign(partitions.toArray(new TopicPartition[0]));
            partitions.forEach(consumer::seekToEnd);
        }
        thread = new Thread(this::consume, "load-consumer-" + via.name().toLowerCase(Locale.ROOT));
        thread.setDaemon(true);
        thread.start();
    }

    private void consume()
    {
        final UnsafeBuffer value = new UnsafeBuffer(new byte[0]);
        try
        {
            while (running && received.get() < expected)
            {
                final List<ConsumerRecord> records = consumer.poll(Duration.ofMillis(100));
                final long now = System.nanoTime();
                for (final ConsumerRecord record : records)
                {
                    value.wrap(record.value());
                    if (value.getLong(8, ByteOrder.LITTLE_ENDIAN) >= warmup)
                    {
                        latencies.record(now - value.getLong(0, ByteOrder.LITTLE_ENDIAN));
                    }
                    receivedBytes.addAndGet(record.value().length);
                }
                received.addAndGet(records.size());
            }
        }
        catch (final Throwable ex)
        {
            failure = ex;
        }
    }

    /**
     * @return records received so far.
     */
    long received()
    {
        return received.get();
    }

    /**
     * @return record value bytes received so far.
     */
    long receivedBytes()
    {
        return receivedBytes.get();
    }

    /**
     * Wait until the expected records arrived.
     *
     * @param timeoutNs longest wait.
     * @throws IOException when the consumer failed or the records did not all arrive.
     */
    void await(final long timeoutNs) throws IOException
    {
        try
        {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNs)));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (null != failure)
        {
            throw new IOException("consumer failed: " + failure.getMessage(), failure);
        }
        if (received.get() < expected)
        {
            throw new IOException("consumer received " + received.get() + " of " + expected + " records");
        }
    }

    public void close()
    {
        running = false;
        try
        {
            thread.join(2_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        consumer.close();
    }
}
