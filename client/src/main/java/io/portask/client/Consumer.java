package io.portask.client;

import io.portask.protocol.BatchCompression;
import io.portask.protocol.Frame;
import io.portask.protocol.RecordBatch;
import io.portask.protocol.RecordReader;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;

/**
 * Reads records from partitions, either by fetching (assign, seek, poll) or by having the broker push them
 * (subscribe). Both feed {@link #poll(Duration)}.
 * <pre>{@code
 * try (Consumer consumer = Consumer.builder("localhost:7070").group("billing").build())
 * {
 *     TopicPartition orders0 = new TopicPartition("orders", 0);
 *     consumer.assign(orders0);                 // starts at the group's committed offset, else the log start
 *     for (ConsumerRecord record : consumer.poll(Duration.ofSeconds(1)))
 *     {
 *         System.out.println(record.offset() + ": " + record.valueAsString());
 *     }
 *     consumer.commit();                        // commits every partition's position for the group
 * }
 * }</pre>
 * Push subscriptions are flow-controlled by credit: the broker sends at most {@code pushWindowBytes} ahead of
 * what poll has handed out, so a slow reader never makes the broker or this client buffer without bound.
 * After a reconnect, subscriptions resume from the next offset not yet returned.
 * <p>
 * Not thread safe: use a consumer from one thread.
 */
public final class Consumer implements AutoCloseable
{
    /** What the push subscriptions answer for a partition they do not hold. */
    static final long NOT_SUBSCRIBED = Long.MIN_VALUE;

    private final ClientConnection connection;
    private final String group;
    private final PushSubscriptions pushes;
    private final Admin admin;
    private final BatchCompression codec = new BatchCompression(BatchCompression.DEFAULT_LEVEL);
    private final RecordReader reader;
    private final Records.ViewSink views = new Records.ViewSink();
    private final Fetches fetches;
    private final GroupMembership.Settings groupSettings;
    private final GroupCommits commits;
    private final GroupMembership.Changes rebalance = new GroupMembership.Changes()
    {
        public void revoke(final Set<TopicPartition> partitions, final boolean lost)
        {
            if (lost)
            {
                listener.onPartitionsLost(partitions);
            }
            else
            {
                if (commits.autoCommit())
                {
                    partitions.forEach(partition -> commits.commit(partition, fetches.position(partition)));
                }
                listener.onPartitionsRevoked(partitions);
            }
            partitions.forEach(fetches::remove);
        }

        public void assign(final Set<TopicPartition> partitions)
        {
            // where each starts, all asked before any starts: a retriable failure leaves none half-started
            final Map<TopicPartition, Long> starts = new LinkedHashMap<>();
            partitions.forEach(tp -> starts.put(tp, fetches.startOffset(tp, committed(tp))));
            starts.forEach(fetches::seek);
            listener.onPartitionsAssigned(partitions);
        }
    };
    private GroupMembership membership;
    private RebalanceListener listener;

    private Consumer(final Builder builder)
    {
        this.group = builder.group;
        this.groupSettings = new GroupMembership.Settings(
            builder.group, builder.sessionTimeoutMs, builder.instanceId, builder.assignor);
        this.pushes = new PushSubscriptions(builder.pushWindowBytes);
        this.connection = new ClientConnection(builder.options, pushes.listener());
        this.pushes.connection(connection);
        this.reader = new RecordReader(codec,
            Frame.maxBatchLength(builder.options.maxFrameLength()) - RecordBatch.HEADER_LENGTH);
        this.connection.connect();
        this.commits = new GroupCommits(connection, group, builder.autoCommitIntervalMs);
        this.admin = Admin.connect(builder.options);
        this.fetches = new Fetches(
            connection, admin, reader, builder.offsetReset, builder.maxFetchBytes, pushes::wakeUp);
    }

    /**
     * @param bootstrap "host:port" of the broker.
     * @return a builder: no group, 1 MiB per fetch, 1 MiB push window.
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
     * Read these partitions by fetching. Each starts at the group's committed offset when there is one, else
     * where {@link Builder#autoOffsetReset} says (the log start by default); {@link #seek} changes that.
     *
     * @param partitions to read.
     */
    public void assign(final TopicPartition... partitions)
    {
        for (final TopicPartition partition : partitions)
        {
            fetches.start(partition, null == group ? -1 : committed(partition));
        }
    }

    /**
     * Join the consumer's group and let the broker assign it partitions of these topics, shared with the group's
     * other members and moved between them incrementally as members join, leave or die; poll heartbeats (call it
     * more often than the session timeout). Needs {@link Builder#group}.
     *
     * @param topics   to consume.
     * @param listener told of revoked (commit there) and assigned partitions.
     */
    public void subscribe(final List<String> topics, final RebalanceListener listener)
    {
        requireGroup();
        this.listener = listener;
        this.membership = new GroupMembership(connection, groupSettings, topics);
        commits.membership(membership);
    }

    /**
     * @return the partitions the group gave this consumer (subscribe), or those assigned by hand.
     */
    public Set<TopicPartition> assignment()
    {
        return new LinkedHashSet<>(fetches.partitions());
    }

    /**
     * @param partition an assigned partition.
     * @param offset    next offset to read.
     */
    public void seek(final TopicPartition partition, final long offset)
    {
        requireAssigned(partition);
        fetches.seek(partition, offset);
    }

    /**
     * @param partition an assigned partition; moves to its log start.
     */
    public void seekToBeginning(final TopicPartition partition)
    {
        seek(partition, admin.offsets(partition)[0]);
    }

    /**
     * @param partition an assigned partition; moves to its high watermark.
     */
    public void seekToEnd(final TopicPartition partition)
    {
        seek(partition, admin.offsets(partition)[1]);
    }

    /**
     * @param partition   any partition.
     * @param timestampMs epoch milliseconds.
     * @return the first offset whose record was stamped at or after that time (records taken as stamped in offset
     *         order), or the high watermark when every record is older; found by a binary search of fetches.
     */
    public long offsetForTime(final TopicPartition partition, final long timestampMs)
    {
        return fetches.offsetForTime(partition, timestampMs);
    }

    /**
     * @param partition an assigned or subscribed partition.
     * @return the next offset poll will return for it.
     */
    public long position(final TopicPartition partition)
    {
        final long pushed = pushes.position(partition);
        if (pushed != NOT_SUBSCRIBED)
        {
            return pushed;
        }
        requireAssigned(partition);
        return fetches.position(partition);
    }

    /**
     * Have the broker push a partition's records from an offset.
     *
     * @param partition  to subscribe to.
     * @param fromOffset first offset, or -1 for only new records.
     */
    public void subscribe(final TopicPartition partition, final long fromOffset)
    {
        pushes.subscribe(partition, fromOffset);
    }

    /**
     * Stop a push subscription.
     *
     * @param partition a subscribed partition.
     */
    public void unsubscribe(final TopicPartition partition)
    {
        pushes.unsubscribe(partition);
    }

    /**
     * Return records that are ready, waiting up to {@code timeout} for the first.
     *
     * @param timeout longest wait.
     * @return records in offset order per partition; empty when none arrived in time.
     * @throws PortaskException when a fetch fails with a non-retriable error (OFFSET_OUT_OF_RANGE only with
     *                          {@link OffsetReset#NONE}; the other policies move the position).
     */
    public List<ConsumerRecord> poll(final Duration timeout)
    {
        final Records.ListSink records = new Records.ListSink();
        poll(timeout, records);
        return records.records;
    }

    /**
     * Hand records that are ready to a handler, one at a time, as a {@link RecordView} over the fetched bytes: no
     * object per record. Waits up to {@code timeout} for the first, as {@link #poll(Duration)} does.
     *
     * @param timeout longest wait.
     * @param handler receives each record, in offset order per partition.
     * @return how many records it was given.
     */
    public int poll(final Duration timeout, final RecordHandler handler)
    {
        return poll(timeout, views.reset(handler));
    }

    private int poll(final Duration timeout, final Records.Sink records)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            if (null != membership)
            {
                membership.poll(rebalance);
            }
            if (null != group)
            {
                commits.maybeAutoCommit(positions());
            }
            fetches.send((int)Math.min(Integer.MAX_VALUE, Math.max(0, deadline - System.nanoTime()) / 1_000_000));
            fetches.harvest(records);
            pushes.drain(reader, records);
            final long remaining = deadline - System.nanoTime();
            if (records.count() > 0 || remaining <= 0)
            {
                return records.count();
            }
            pushes.await(remaining);
        }
    }

    /**
     * Commit every assigned and subscribed partition's position for the group, waiting for the answers.
     */
    public void commit()
    {
        connection.await(commitAsync());
    }

    /**
     * Commit every assigned and subscribed partition's position for the group without waiting.
     *
     * @return completes when the broker has them all, exceptionally with a {@link PortaskException} when it refused
     *         one (STALE_MEMBER_EPOCH and FENCED_MEMBER_EPOCH for a member that lost its partitions meanwhile).
     */
    public CompletableFuture<Void> commitAsync()
    {
        requireGroup();
        return commits.commitAsync(positions());
    }

    /**
     * Durably record the group's next offset for a partition.
     *
     * @param partition the partition.
     * @param offset    next offset the group will read.
     */
    public void commit(final TopicPartition partition, final long offset)
    {
        requireGroup();
        commits.commit(partition, offset);
    }

    /**
     * @param partition the partition.
     * @return the group's committed offset, or -1 when it has none.
     */
    public long committed(final TopicPartition partition)
    {
        requireGroup();
        return commits.committed(partition);
    }

    private Map<TopicPartition, Long> positions()
    {
        final Map<TopicPartition, Long> all = new LinkedHashMap<>(fetches.positions());
        pushes.forEachPosition(all::put);
        return all;
    }

    private void requireGroup()
    {
        if (null == group)
        {
            throw new IllegalStateException("committed offsets need a consumer group: Consumer.builder(..).group(..)");
        }
    }

    private void requireAssigned(final TopicPartition partition)
    {
        if (!fetches.partitions().contains(partition))
        {
            throw new IllegalStateException(partition + " is not assigned to this consumer");
        }
    }

    /**
     * Close the connection; push subscriptions end with it.
     */
    public void close()
    {
        if (null != group && commits.autoCommit())
        {
            commit();
        }
        if (null != membership)
        {
            membership.leave();
        }
        admin.close();
        connection.close();
        codec.close();
    }

    /**
     * Consumer settings.
     */
    public static final class Builder
    {
        private ClientOptions options;
        private String group;
        private int maxFetchBytes = 1024 * 1024;
        private int pushWindowBytes = 1024 * 1024;
        private OffsetReset offsetReset = OffsetReset.EARLIEST;
        private int sessionTimeoutMs = 45_000;
        private String instanceId = "";
        private String assignor = "";
        private long autoCommitIntervalMs;

        private Builder(final ClientOptions options)
        {
            this.options = options;
        }

        /**
         * @param how how the consumer waits (see {@link ClientIdle}); BLOCKING by default. With a spinning mode
         *            {@link Consumer#poll} reads the socket on its own thread and never parks.
         * @return this.
         */
        public Builder idle(final ClientIdle how)
        {
            this.options = options.withIdle(how);
            return this;
        }

        /** @param factory makes its I/O thread (e.g. pinned); see {@link ClientOptions#withThreads}. @return this. */
        public Builder threads(final ThreadFactory factory)
        {
            this.options = options.withThreads(factory);
            return this;
        }

        /**
         * @param ms how long the broker waits without a heartbeat (a poll) before it gives this member's partitions
         *           to others, when subscribed; default 45 s (the broker keeps it within [0.5 s, 300 s]).
         * @return this.
         */
        public Builder sessionTimeoutMs(final int ms)
        {
            this.sessionTimeoutMs = ms;
            return this;
        }

        /**
         * @param id static membership ({@code group.instance.id}): a consumer that restarts under the same id within
         *           its session timeout gets its partitions back without a rebalance; unique within the group.
         * @return this.
         */
        public Builder groupInstanceId(final String id)
        {
            this.instanceId = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * @param name the broker-side assignor this member asks for: {@code uniform} (sticky, balanced; the
         *             default) or {@code range} (per topic, contiguous ranges); the group uses the one most of its
         *             members ask for.
         * @return this.
         */
        public Builder assignor(final String name)
        {
            this.assignor = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * @param interval commit positions from poll this often, before a revocation and at close; default off.
         * @return this.
         */
        public Builder autoCommitInterval(final Duration interval)
        {
            this.autoCommitIntervalMs = Math.max(1, interval.toMillis());
            return this;
        }

        /**
         * @param policy what a poll does when the position is outside the partition (retention deleted it):
         *               EARLIEST (default), LATEST or NONE (throw OFFSET_OUT_OF_RANGE).
         * @return this.
         */
        public Builder autoOffsetReset(final OffsetReset policy)
        {
            this.offsetReset = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** @param name consumer group whose offsets commit and committed use. @return this. */
        public Builder group(final String name)
        {
            this.group = name;
            return this;
        }

        /** @param bytes soft limit per fetch. @return this. */
        public Builder maxFetchBytes(final int bytes)
        {
            this.maxFetchBytes = bytes;
            return this;
        }

        /** @param bytes how far the broker may push ahead of poll. @return this. */
        public Builder pushWindowBytes(final int bytes)
        {
            this.pushWindowBytes = bytes;
            return this;
        }

        /** @param timeout how long a request waits for its answer. @return this. */
        public Builder requestTimeout(final Duration timeout)
        {
            this.options = options.withRequestTimeout(timeout);
            return this;
        }

        /** @return a connected consumer. */
        public Consumer build()
        {
            if (maxFetchBytes < 1 || pushWindowBytes < 1)
            {
                throw new IllegalArgumentException("maxFetchBytes and pushWindowBytes must be positive");
            }
            return new Consumer(this);
        }
    }
}
