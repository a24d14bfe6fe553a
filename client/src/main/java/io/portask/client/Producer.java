package io.portask.client;

import io.portask.protocol.BatchCompression;
import io.portask.protocol.Compression;
import io.portask.protocol.CompressionPolicy;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.Frame;
import io.portask.protocol.Partitioner;
import io.portask.protocol.link.PartitionCounts;
import io.portask.protocol.sbe.AckLevel;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
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
    private final PartitionCounts partitionCounts;
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final Admin metadata;
    private final CompressionPolicy compressor;
    private final ProducerBatches batches;
    private final ProducerSender sender;
    private final boolean callerShips;

    private Producer(final Builder builder)
    {
        final long lingerNs = TimeUnit.MILLISECONDS.toNanos(builder.lingerMs);
        this.compressor = new CompressionPolicy(builder.compression, builder.compressionLevel,
            builder.compressionThresholdBytes);
        this.connection = new ClientConnection(builder.options, null);
        this.connection.connect();
        final ProducerSequences sequences =
            new ProducerSequences(builder.idempotence && AckLevel.NONE != builder.ackLevel);
        sequences.init(connection);
        this.callerShips = ClientIdle.BLOCKING != builder.options.idle() && 0 == lingerNs;
        this.batches = new ProducerBatches(builder.batchBytes,
            Frame.maxBatchLength(builder.options.maxFrameLength()) - 512, lingerNs, sequences);
        this.metadata = Admin.connect(builder.options);
        this.partitionCounts = new PartitionCounts(
            topic -> CompletableFuture.completedFuture(metadata.describeTopic(topic).partitions().size()));
        this.sender = new ProducerSender(connection, batches, sequences, compressor, builder.ackLevel,
            builder.maxInFlight, lingerNs, builder.retries, builder.retryBackoffMs, builder.deliveryTimeout.toNanos(),
            builder.options);
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
        final CompletableFuture<RecordMetadata> future = enqueue(topicPartition, key, value, headers);
        sender.wake();
        return future;
    }

    /**
     * Send a record copied from direct buffers (the caller may reuse them as soon as this returns) and be told
     * through a callback: nothing is allocated per record on this path (a future and a metadata object are not
     * made). The callback runs once, on the thread that reads the answer; it must not block.
     *
     * @param topicPartition where to send.
     * @param key            buffer of the key, or null for none.
     * @param keyOffset      where the key starts.
     * @param keyLength      its length.
     * @param value          buffer of the value.
     * @param valueOffset    where the value starts.
     * @param valueLength    its length.
     * @param callback       told where the record was stored, or why not.
     */
    public void send(
        final TopicPartition topicPartition, final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength, final SendCallback callback)
    {
        if (!sender.running())
        {
            callback.onCompletion(topicPartition, -1, new PortaskException(ErrorCode.NETWORK_ERROR, "producer closed"));
            return;
        }
        if (batches.append(topicPartition, System.currentTimeMillis(), key, keyOffset, keyLength, value, valueOffset,
            valueLength, callback))
        {
            sender.wake();
        }
    }

    private CompletableFuture<RecordMetadata> enqueue(
        final TopicPartition topicPartition, final byte[] key, final byte[] value, final List<Header> headers)
    {
        if (!sender.running())
        {
            return CompletableFuture.failedFuture(new PortaskException(ErrorCode.NETWORK_ERROR, "producer closed"));
        }
        return batches.append(topicPartition, System.currentTimeMillis(), key, value, headers);
    }

    /**
     * Send a record to a chosen partition and wait for its acknowledgement. With a spinning {@link ClientIdle}
     * and no linger, the calling thread ships the batch and reads the answer itself: no thread hand-off.
     *
     * @param topicPartition where to send.
     * @param key            key or null.
     * @param value          value or null.
     * @param headers        headers, possibly empty.
     * @return where it was stored.
     * @throws PortaskException when it could not be stored.
     */
    public RecordMetadata sendSync(
        final TopicPartition topicPartition, final byte[] key, final byte[] value, final List<Header> headers)
    {
        if (!callerShips)
        {
            return connection.await(send(topicPartition, key, value, headers));
        }
        final CompletableFuture<RecordMetadata> future = enqueue(topicPartition, key, value, headers);
        if (!sender.shipNow())
        {
            sender.wake();
        }
        return connection.await(future);
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
        return connection.await(send(topic, key, value));
    }

    /**
     * Send every gathered batch now and wait until all records sent so far are answered.
     */
    public void flush()
    {
        batches.flush();
        sender.wake();
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

    /**
     * Send what is gathered, wait for the answers, and close the connection.
     */
    public void close()
    {
        flush();
        sender.close();
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

        /**
         * @param level when the broker answers: NONE, MEMORY, JOURNAL (default), SYNC, or QUORUM (a cluster's
         *              majority has it; on a replicated topic every level but NONE means QUORUM).
         * @return this.
         */
        public Builder ackLevel(final AckLevel level)
        {
            this.ackLevel = level;
            return this;
        }

        /**
         * @param how how the producer's threads wait (see {@link ClientIdle}); BLOCKING by default. With a spinning
         *            mode and no linger, {@link Producer#sendSync} ships and reads its answer on the caller's thread.
         * @return this.
         */
        public Builder idle(final ClientIdle how)
        {
            this.options = options.withIdle(how);
            return this;
        }

        /**
         * @param factory makes the producer's I/O threads (its connection's reader and its sender), e.g. to bind
         *                each to a CPU of its own before it runs; plain threads by default. See
         *                {@link ClientOptions#withThreads}.
         * @return this.
         */
        public Builder threads(final ThreadFactory factory)
        {
            this.options = options.withThreads(factory);
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
