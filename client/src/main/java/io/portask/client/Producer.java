package io.portask.client;

import io.portask.protocol.BatchCompression;
import io.portask.protocol.Compression;
import io.portask.protocol.CompressionPolicy;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.Frame;
import io.portask.protocol.Partitioner;
import io.portask.protocol.link.PartitionCounts;
import io.portask.protocol.link.Reply;
import io.portask.protocol.link.RequestEncoder;
import io.portask.protocol.link.Requests;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.ProduceResponseDecoder;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends records to topics. Records for the same partition are gathered into a batch until it reaches
 * {@code batchBytes} or has waited {@code linger}; a sender thread then ships batches, up to {@code maxInFlight}
 * pipelined on one connection, and retries a batch that failed with a retriable error after a backoff.
 * <pre>{@code
 * try (Producer producer = Producer.builder("localhost:7070").build())
 * {
 *     RecordMetadata stored = producer.sendSync("orders", "customer-7", "{\"total\":42}");
 *     producer.send("orders", null, "fire and forget-ish").thenAccept(System.out::println);
 * }
 * }</pre>
 * A record that is not acknowledged within {@code deliveryTimeout} (2 minutes by default, retries included)
 * fails with REQUEST_TIMEOUT, so flush and close always return.
 * <p>
 * Partitioning: a keyed record goes to {@code (crc32c(key) & 0x7fffffff) % partitions}, so the same key always
 * lands in the same partition; records without a key go round-robin. Delivery is at least once: a batch whose
 * answer was lost to a broken connection is sent again, so it may be stored twice.
 * <p>
 * Thread safe: any thread may send; futures complete on the client's reader thread, so do not block in them.
 */
public final class Producer implements AutoCloseable
{
    private final ClientConnection connection;
    private final AckLevel ackLevel;
    private final long lingerNs;
    private final int retries;
    private final long retryBackoffMs;
    private final long deliveryTimeoutNs;
    private final Semaphore inFlight;
    private final PartitionCounts partitionCounts;
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final ScheduledExecutorService retryScheduler;
    private final Admin metadata;
    private final Thread sender;
    private final CompressionPolicy compressor;
    private final ProducerSequences sequences;
    private final ProducerBatches batches;
    private volatile boolean running = true;

    private Producer(final Builder builder)
    {
        this.ackLevel = builder.ackLevel;
        this.lingerNs = TimeUnit.MILLISECONDS.toNanos(builder.lingerMs);
        this.retries = builder.retries;
        this.retryBackoffMs = builder.retryBackoffMs;
        this.deliveryTimeoutNs = builder.deliveryTimeout.toNanos();
        this.inFlight = new Semaphore(builder.maxInFlight);
        this.compressor = new CompressionPolicy(builder.compression, builder.compressionLevel,
            builder.compressionThresholdBytes);
        this.connection = new ClientConnection(builder.options, null);
        this.connection.connect();
        this.sequences = new ProducerSequences(builder.idempotence && AckLevel.NONE != builder.ackLevel);
        this.sequences.init(connection);
        this.batches = new ProducerBatches(builder.batchBytes,
            Frame.maxBatchLength(builder.options.maxFrameLength()) - 512, lingerNs, sequences);
        this.metadata = Admin.connect(builder.options);
        this.partitionCounts = new PartitionCounts(
            topic -> CompletableFuture.completedFuture(metadata.describeTopic(topic).partitions().size()));
        this.retryScheduler = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "portask-producer-retry");
            thread.setDaemon(true);
            return thread;
        });
        this.sender = new Thread(this::runSender, "portask-producer-sender");
        this.sender.setDaemon(true);
        this.sender.start();
    }

    /**
     * @param bootstrap "host:port" of the broker.
     * @return a builder with defaults: ack JOURNAL, linger 0 ms, batch 16 KiB, 64 in flight, 5 retries.
     */
    public static Builder builder(final String bootstrap)
    {
        return new Builder(ClientOptions.of(bootstrap));
    }

    /**
     * @param options connection settings (TLS, timeouts).
     * @return a builder with the same defaults as {@link #builder(String)}.
     */
    public static Builder builder(final ClientOptions options)
    {
        return new Builder(options);
    }

    /**
     * Send a text record.
     *
     * @param topic topic name.
     * @param key   key or null for round-robin.
     * @param value value or null.
     * @return completes with where the record was stored.
     */
    public CompletableFuture<RecordMetadata> send(final String topic, final String key, final String value)
    {
        return send(topic, utf8(key), utf8(value), List.of());
    }

    /**
     * Send a record.
     *
     * @param topic   topic name.
     * @param key     key or null for round-robin.
     * @param value   value or null.
     * @param headers headers, possibly empty.
     * @return completes with where the record was stored.
     */
    public CompletableFuture<RecordMetadata> send(
        final String topic, final byte[] key, final byte[] value, final List<Header> headers)
    {
        final int partitions = partitionCounts.get(topic).join();
        final int partition = null == key ?
            Math.floorMod(roundRobin.getAndIncrement(), partitions) : partitionFor(key, partitions);
        return send(new TopicPartition(topic, partition), key, value, headers);
    }

    /**
     * Send a record to a chosen partition.
     *
     * @param topicPartition where to send.
     * @param key            key or null.
     * @param value          value or null.
     * @param headers        headers, possibly empty.
     * @return completes with where the record was stored.
     */
    public CompletableFuture<RecordMetadata> send(
        final TopicPartition topicPartition, final byte[] key, final byte[] value, final List<Header> headers)
    {
        if (!running)
        {
            return CompletableFuture.failedFuture(new PortaskException(ErrorCode.NETWORK_ERROR, "producer closed"));
        }
        final CompletableFuture<RecordMetadata> future =
            batches.append(topicPartition, System.currentTimeMillis(), key, value, headers);
        LockSupport.unpark(sender);
        return future;
    }

    /**
     * Send a text record and wait for its acknowledgement.
     *
     * @param topic topic name.
     * @param key   key or null.
     * @param value value or null.
     * @return where it was stored.
     * @throws PortaskException when it could not be stored.
     */
    public RecordMetadata sendSync(final String topic, final String key, final String value)
    {
        return Admin.await(send(topic, key, value));
    }

    /**
     * Send every gathered batch now and wait until all records sent so far are answered.
     */
    public void flush()
    {
        batches.flush();
        LockSupport.unpark(sender);
        while (batches.outstanding() > 0)
        {
            LockSupport.parkNanos(100_000);
        }
    }

    /**
     * Stable partition of a key: {@code (crc32c(key) & 0x7fffffff) % partitions} ({@link Partitioner}).
     *
     * @param key        key bytes.
     * @param partitions partition count.
     * @return the partition.
     */
    public static int partitionFor(final byte[] key, final int partitions)
    {
        return Partitioner.partition(key, partitions);
    }

    private void runSender()
    {
        while (running || batches.outstanding() > 0)
        {
            final ProducerBatch batch = batches.next(!running);
            if (null == batch)
            {
                LockSupport.parkNanos(lingerNs > 0 ? Math.min(lingerNs, 1_000_000) : 1_000_000);
                continue;
            }
            inFlight.acquireUninterruptibly();
            ship(batch);
        }
    }

    private void settled(final ProducerBatch batch, final boolean failedForGood)
    {
        batches.settled(batch, failedForGood);
        LockSupport.unpark(sender);
    }

    private void ship(final ProducerBatch batch)
    {
        try
        {
            batch.seal(compressor, sequences);
        }
        catch (final PortaskException ex)
        {
            inFlight.release();
            onFailure(batch, ex);
            return;
        }
        final RequestEncoder encoder = Requests.produce(batch.topicPartition.topic(),
            batch.topicPartition.partition(), ackLevel, batch.shipBuffer, 0, batch.shipLength);
        if (AckLevel.NONE == ackLevel)
        {
            try
            {
                connection.sendOneWay(encoder);
                batch.complete(-1);
                settled(batch, false);
            }
            catch (final PortaskException ex)
            {
                onFailure(batch, ex);
            }
            finally
            {
                inFlight.release();
            }
            return;
        }
        connection.send(encoder).whenComplete((response, error) ->
        {
            inFlight.release();
            if (null == error)
            {
                batch.complete(baseOffsetOf(response));
                settled(batch, false);
            }
            else
            {
                onFailure(batch, PortaskException.from(error));
            }
        });
    }

    private static long baseOffsetOf(final Reply response)
    {
        return new ProduceResponseDecoder().wrapAndApplyHeader(response.buffer(), 0, response.header()).baseOffset();
    }

    private void onFailure(final ProducerBatch batch, final PortaskException error)
    {
        if (System.nanoTime() - batch.createdNs >= deliveryTimeoutNs)
        {
            batch.fail(new PortaskException(ErrorCode.REQUEST_TIMEOUT, "not delivered within the delivery timeout " +
                TimeUnit.NANOSECONDS.toMillis(deliveryTimeoutNs) + " ms; last error: " + error.getMessage(), error));
            settled(batch, true);
            return;
        }
        if (error.isRetriable() && batch.attempts < retries && running)
        {
            batch.attempts++;
            retryScheduler.schedule(() ->
            {
                batches.retry(batch);
                LockSupport.unpark(sender);
            }, retryBackoffMs << Math.min(batch.attempts - 1, 6), TimeUnit.MILLISECONDS);
            return;
        }
        batch.fail(error);
        settled(batch, true);
    }

    /**
     * Send what is gathered, wait for the answers, and close the connection.
     */
    public void close()
    {
        flush();
        running = false;
        LockSupport.unpark(sender);
        try
        {
            sender.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        retryScheduler.shutdownNow();
        metadata.close();
        connection.close();
        compressor.close();
    }

    private static byte[] utf8(final String text)
    {
        return null == text ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Producer settings.
     */
    public static final class Builder
    {
        private ClientOptions options;
        private AckLevel ackLevel = AckLevel.JOURNAL;
        private long lingerMs;
        private int batchBytes = 16 * 1024;
        private int maxInFlight = 64;
        private int retries = 5;
        private long retryBackoffMs = 50;
        private Duration deliveryTimeout = Duration.ofMinutes(2);
        private Compression compression = Compression.NONE;
        private boolean idempotence = true;
        private int compressionLevel = BatchCompression.DEFAULT_LEVEL;
        private int compressionThresholdBytes = 1024;

        private Builder(final ClientOptions options)
        {
            this.options = options;
        }

        /** @param level when the broker answers: NONE, MEMORY, JOURNAL (default) or SYNC. @return this. */
        public Builder ackLevel(final AckLevel level)
        {
            this.ackLevel = level;
            return this;
        }

        /** @param ms how long a batch may wait to fill; 0 sends as soon as the sender is free. @return this. */
        public Builder lingerMs(final long ms)
        {
            this.lingerMs = ms;
            return this;
        }

        /** @param bytes size at which a batch is sent without waiting. @return this. */
        public Builder batchBytes(final int bytes)
        {
            this.batchBytes = bytes;
            return this;
        }

        /** @param requests batches pipelined at once. @return this. */
        public Builder maxInFlight(final int requests)
        {
            this.maxInFlight = requests;
            return this;
        }

        /** @param count attempts after the first for a retriable failure. @return this. */
        public Builder retries(final int count)
        {
            this.retries = count;
            return this;
        }

        /** @param ms first retry backoff; doubles per attempt. @return this. */
        public Builder retryBackoffMs(final long ms)
        {
            this.retryBackoffMs = ms;
            return this;
        }

        /** @param timeout how long a request waits for its answer. @return this. */
        public Builder requestTimeout(final Duration timeout)
        {
            this.options = options.withRequestTimeout(timeout);
            return this;
        }

        /**
         * @param enabled whether a batch sent again (a retry after a lost answer) is stored once; default true,
         *                ignored at ack level NONE. One batch per partition is in flight then.
         * @return this.
         */
        public Builder idempotence(final boolean enabled)
        {
            this.idempotence = enabled;
            return this;
        }

        /**
         * @param mode how batches are compressed; default NONE (see {@link Compression}).
         * @return this.
         */
        public Builder compression(final Compression mode)
        {
            this.compression = Objects.requireNonNull(mode, "compression");
            return this;
        }

        /**
         * @param level zstd level for ZSTD and ADAPTIVE, 1 (fast) to 19 (small); default 3.
         * @return this builder.
         */
        public Builder compressionLevel(final int level)
        {
            new BatchCompression(level).close();
            this.compressionLevel = level;
            return this;
        }

        /**
         * @param bytes batches smaller than this go uncompressed; default 1 KiB.
         * @return this builder.
         */
        public Builder compressionThresholdBytes(final int bytes)
        {
            if (bytes < 0)
            {
                throw new IllegalArgumentException("compressionThresholdBytes must be 0 or more, got " + bytes);
            }
            this.compressionThresholdBytes = bytes;
            return this;
        }

        /**
         * @param timeout longest a record may take from send to acknowledgement, retries included; past it the
         *                record fails with REQUEST_TIMEOUT. Bounds {@link Producer#flush()} and close too.
         * @return this.
         */
        public Builder deliveryTimeout(final Duration timeout)
        {
            this.deliveryTimeout = timeout;
            return this;
        }

        /** @return a connected producer. */
        public Producer build()
        {
            if (batchBytes < 256 || maxInFlight < 1 || retries < 0 || lingerMs < 0 || retryBackoffMs < 0)
            {
                throw new IllegalArgumentException("batchBytes >= 256, maxInFlight >= 1, retries >= 0, lingerMs >= 0" +
                    " and retryBackoffMs >= 0 are required");
            }
            return new Producer(this);
        }
    }
}
