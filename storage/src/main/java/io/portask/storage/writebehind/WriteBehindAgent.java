package io.portask.storage.writebehind;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.portask.protocol.CounterFactory;
import io.portask.protocol.CounterIds;
import io.portask.protocol.RecordBatch;
import io.portask.protocol.StorageKinds;
import io.portask.protocol.sbe.StorageKind;
import io.portask.storage.ChronicleJournalLog;
import io.portask.storage.DragonflyPartitionLog;
import io.portask.storage.JournalCursor;
import io.portask.storage.TieredPartitionLog;
import io.portask.storage.spi.PartitionListener;
import io.portask.storage.spi.PartitionLog;
import io.portask.storage.spi.TopicDescriptor;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.collections.ObjectHashSet;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes every journal partition's batches behind to Dragonfly (any Redis-protocol server), one stream per
 * partition, through Lettuce's async API over a small pool of connections. It tails each journal with a cursor
 * of its own, so the produce path never waits for it: when Dragonfly is slow or down the circuit opens, the
 * journal keeps accepting, and the lag counters grow until it is back. Each write is conditional on where the
 * stream ends ({@link AppendScript}), so nothing is skipped and nothing is written twice or out of order, across
 * failures and broker restarts; a checkpoint beside each journal saves re-reading what was confirmed.
 * <p>
 * Threading: an agent on its own thread. {@link #onPartitionOpened} and {@link #onTopicDeleted} are called by the
 * core agent and only queue the news; Lettuce's threads only queue completions.
 */
public final class WriteBehindAgent implements Agent, PartitionListener
{
    private static final Logger LOG = LoggerFactory.getLogger(WriteBehindAgent.class);
    private static final long LAG_UPDATE_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int EVENT_LIMIT = 256;

    private final DragonflyContext ctx;
    private final ErrorHandler errorHandler;
    private final NanoClock clock;
    private final CounterFactory counterFactory;
    private final RedisURI uri;
    private final long lingerNs;
    private final ClientResources resources;
    private final RedisClient client;
    private final CircuitBreaker breaker;
    private final AtomicCounter circuitState;
    private final AtomicCounter pausedState;
    private volatile boolean paused;
    private final AtomicCounter recordsWritten;
    private final AtomicCounter bytesWritten;
    private final AtomicCounter errors;
    private final AtomicCounter resyncs;
    private final AtomicInteger partitionsNotReady = new AtomicInteger();
    private final ManyToOneConcurrentLinkedQueue<Object> events = new ManyToOneConcurrentLinkedQueue<>();
    private final List<StreamWriter> writers = new ArrayList<>();
    private final List<byte[][]> pendingDeletes = new ArrayList<>();
    private final ObjectHashSet<String> topicsDescribed = new ObjectHashSet<>();
    private final Map<String, Integer> partitionCounts = new HashMap<>();
    private final Map<String, String> storageKinds = new HashMap<>();
    private final List<StatefulRedisConnection<byte[], byte[]>> connections = new ArrayList<>();
    private final boolean[] connecting;
    private final boolean[] used;
    private final UnsafeBuffer scratch;
    private final AtomicCounter dataLosses;
    private final StreamEndCheck endCheck;
    private final HandoffReader handoff;
    private long nowNs;
    private long nextLagUpdateNs;

    private record Open(TopicDescriptor topic, int partition, ChronicleJournalLog journal, JournalCursor cursor,
        DragonflyPartitionLog dragonfly, AtomicCounter highWatermark, AtomicCounter bytesAppended,
        long highWatermarkAtOpen)
    {
    }

    private record Deleted(TopicDescriptor topic)
    {
    }

    private record Connected(int index, StatefulRedisConnection<byte[], byte[]> connection, Throwable error)
    {
    }

    private record Written(StreamWriter writer, List<Object> result, Throwable error)
    {
    }

    private record Fired(int index, Throwable error)
    {
    }

    /**
     * @param ctx concluded settings.
     */
    public WriteBehindAgent(final DragonflyContext ctx)
    {
        this.ctx = ctx.conclude();
        this.errorHandler = ctx.errorHandler();
        this.clock = ctx.nanoClock();
        this.counterFactory = ctx.counterFactory();
        this.uri = ctx.redisUri();
        this.lingerNs = ctx.linger().toNanos();
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1).build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
            .autoReconnect(false)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(ctx.timeout()))
            .build());
        this.circuitState = counterFactory.newCounter(CounterIds.WRITE_BEHIND_CIRCUIT,
            "write-behind circuit (0 closed, 1 open, 2 half-open)");
        this.breaker = new CircuitBreaker(ctx.failureThreshold(), ctx.initialBackoff().toNanos(),
            ctx.maxBackoff().toNanos(), circuitState);
        this.pausedState = counterFactory.newCounter(CounterIds.WRITE_BEHIND_PAUSED, "write-behind paused");
        this.recordsWritten = counterFactory.newCounter(CounterIds.WRITE_BEHIND_RECORDS, "write-behind records");
        this.bytesWritten = counterFactory.newCounter(CounterIds.WRITE_BEHIND_BYTES, "write-behind bytes");
        this.errors = counterFactory.newCounter(CounterIds.WRITE_BEHIND_ERRORS, "write-behind errors");
        this.resyncs = counterFactory.newCounter(CounterIds.WRITE_BEHIND_RESYNCS, "write-behind resyncs");
        this.dataLosses = counterFactory.newCounter(CounterIds.WRITE_BEHIND_DATA_LOSSES, "write-behind data losses");
        this.endCheck = new StreamEndCheck(events, writers, new StreamEndCheck.Owner()
        {
            public void resync(final StreamWriter writer, final String top)
            {
                WriteBehindAgent.this.resync(writer, top);
            }

            public void onFailure(final int connectionIndex, final Throwable error, final String what)
            {
                WriteBehindAgent.this.onFailure(connectionIndex, error, what);
            }

            public void onStreamEndFound(final StreamWriter writer, final String top)
            {
                writer.onStreamEndFound(top);
                partitionsNotReady.decrementAndGet();
            }
        }, errorHandler, dataLosses, uri.getHost() + ":" + uri.getPort(), ctx.probeInterval().toNanos());
        this.handoff = new HandoffReader(ctx.handoff());
        for (int i = 0; i < ctx.connections(); i++)
        {
            connections.add(null);
        }
        this.connecting = new boolean[ctx.connections()];
        this.used = new boolean[ctx.connections()];
        this.scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            org.agrona.BitUtil.align(ctx.maxBatchLength() + ctx.maxWriteBytes(), 64), 64));
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return "portask-write-behind";
    }

    /**
     * Core agent thread: follow a journal partition if its topic is written behind.
     */
    public void onPartitionOpened(
        final TopicDescriptor topic,
        final int partition,
        final PartitionLog log,
        final AtomicCounter highWatermark,
        final AtomicCounter bytesAppended)
    {
        if (log instanceof DragonflyPartitionLog dragonfly)
        {
            partitionsNotReady.incrementAndGet();
            events.offer(new Open(topic, partition, null, null, dragonfly, highWatermark, bytesAppended,
                log.highWatermark()));
            return;
        }
        if (StorageKind.JOURNAL != topic.storage() || !ctx.isWrittenBehind(topic.name()))
        {
            return;
        }
        final ChronicleJournalLog journal = log instanceof TieredPartitionLog tiered ? tiered.journal() :
            (ChronicleJournalLog)log;
        events.offer(new Open(topic, partition, journal, journal.newCursor(), null, highWatermark, bytesAppended,
            log.highWatermark()));
    }

    /**
     * Core agent thread: stop following a deleted topic and delete its streams.
     */
    public void onTopicDeleted(final TopicDescriptor topic)
    {
        if (StorageKind.DRAGONFLY == topic.storage() ||
            (StorageKind.JOURNAL == topic.storage() && ctx.isWrittenBehind(topic.name())))
        {
            events.offer(new Deleted(topic));
        }
    }

    /**
     * {@inheritDoc}
     */
    public int doWork()
    {
        nowNs = clock.nanoTime();
        int workCount = 0;
        Object event;
        while (workCount < EVENT_LIMIT && null != (event = events.poll()))
        {
            onEvent(event);
            workCount++;
        }
        workCount += handoff.drain();
        workCount += connect();
        workCount += endCheck.probe(connections.get(0), nowNs);
        if (!paused)
        {
            workCount += send();
        }
        if (nowNs - nextLagUpdateNs >= 0)
        {
            nextLagUpdateNs = nowNs + LAG_UPDATE_INTERVAL_NS;
            writers.forEach(StreamWriter::updateLag);
        }
        return workCount;
    }

    private void onEvent(final Object event)
    {
        switch (event)
        {
            case Open open -> onOpen(open);
            case Deleted deleted -> onDeleted(deleted.topic());
            case Connected connected -> onConnected(connected);
            case Written written -> onWritten(written);
            case Fired fired -> onFailure(fired.index(), fired.error(), "write-behind metadata command failed");
            case StreamEndCheck.Probed probed -> endCheck.onProbed(probed, connections.get(0));
            case StreamEndCheck.StreamEnd end -> endCheck.onStreamEnd(end);
            default -> throw new IllegalStateException("unknown event " + event);
        }
    }

    private void onOpen(final Open open)
    {
        final String topic = open.topic().name();
        final String key = ctx.streamKey(topic, open.partition());
        final boolean journal = null != open.journal();
        final Checkpoint checkpoint = journal ? Checkpoint.open(open.journal().directory()) : null;
        final BatchSource source = journal ? new JournalSource(open.cursor()) : new QueueSource(open.dragonfly());
        final StreamWriter writer = new StreamWriter(topic, open.partition(), key,
            Math.floorMod(key.hashCode(), connections.size()), source, checkpoint,
            open.dragonfly(), open.highWatermark(), open.bytesAppended(),
            counterFactory.newCounter(CounterIds.WRITE_BEHIND_LAG_RECORDS, topic, open.partition(), null,
            "write-behind lag records: " + topic + "/" + open.partition()),
            counterFactory.newCounter(CounterIds.WRITE_BEHIND_LAG_BYTES, topic, open.partition(), null,
            "write-behind lag bytes: " + topic + "/" + open.partition()));
        if (!journal)
        {
            writer.expectedTop = null;
            handoff.add(open.dragonfly().handle(), (QueueSource)source);
            endCheck.resolveSoon();
        }
        else if (checkpoint.isSound() && checkpoint.nextOffset() <= open.highWatermarkAtOpen())
        {
            writer.confirmedNext = checkpoint.nextOffset();
            writer.expectedTop = checkpoint.lastId();
        }
        else
        {
            writer.confirmedNext = 0;
            writer.expectedTop = 0 == open.highWatermarkAtOpen() ? AppendScript.RESET : "";
            checkpoint.store(0, -1, 0);
        }
        writer.backlogBytes = journal ?
            writer.bytesBetween(writer.confirmedNext, open.highWatermarkAtOpen(), scratch) : 0;
        writer.updateLag();
        writers.add(writer);
        topicsDescribed.remove(topic);
        partitionCounts.put(topic, open.topic().partitions());
        storageKinds.put(topic, StorageKinds.name(open.topic().storage()));
    }

    private void onDeleted(final TopicDescriptor topic)
    {
        for (int i = writers.size() - 1; i >= 0; i--)
        {
            if (writers.get(i).topic.equals(topic.name()))
            {
                final StreamWriter writer = writers.remove(i);
                if (null != writer.dragonfly)
                {
                    handoff.remove(writer.dragonfly.handle());
                    if (writer.awaitsStreamEnd())
                    {
                        partitionsNotReady.decrementAndGet();
                    }
                }
                writer.close();
            }
        }
        final byte[][] keys = new byte[topic.partitions() + 1][];
        for (int p = 0; p < topic.partitions(); p++)
        {
            keys[p] = bytes(ctx.streamKey(topic.name(), p));
        }
        keys[topic.partitions()] = bytes(ctx.topicKey(topic.name()));
        pendingDeletes.add(keys);
        partitionCounts.remove(topic.name());
        topicsDescribed.remove(topic.name());
    }

    private int connect()
    {
        int workCount = 0;
        for (int i = 0; i < connections.size(); i++)
        {
            if (null == connections.get(i) && !connecting[i] && breaker.tryAcquire(nowNs))
            {
                connecting[i] = true;
                final int index = i;
                client.connectAsync(ByteArrayCodec.INSTANCE, uri).whenComplete((connection, error) ->
                    events.offer(new Connected(index, connection, error)));
                workCount++;
            }
        }
        return workCount;
    }

    private void onConnected(final Connected connected)
    {
        connecting[connected.index()] = false;
        if (null != connected.error())
        {
            onFailure(-1, connected.error(), "cannot connect to Dragonfly at " + uri.getHost() + ":" + uri.getPort());
            return;
        }
        connected.connection().setAutoFlushCommands(false);
        connections.set(connected.index(), connected.connection());
        breaker.onSuccess();
        endCheck.verifySoon();
    }

    private int send()
    {
        int workCount = 0;
        for (final StreamWriter writer : writers)
        {
            final StatefulRedisConnection<byte[], byte[]> connection = connections.get(writer.connection);
            if (null != connection && writer.hasUnsent() && writer.isDue(nowNs, lingerNs, ctx.maxWriteBytes()) &&
                breaker.tryAcquire(nowNs))
            {
                describeTopic(writer, connection);
                workCount += write(writer, connection);
            }
        }
        if (!pendingDeletes.isEmpty())
        {
            workCount += deleteStreams();
        }
        for (int i = 0; i < connections.size(); i++)
        {
            if (used[i])
            {
                used[i] = false;
                connections.get(i).flushCommands();
            }
        }
        return workCount;
    }

    private int write(final StreamWriter writer, final StatefulRedisConnection<byte[], byte[]> connection)
    {
        final int length = writer.source.read(
            writer.confirmedNext, ctx.maxWriteBytes(), scratch, 0, scratch.capacity());
        if (0 == length)
        {
            return 0;
        }
        final boolean resetting = AppendScript.RESET.equals(writer.expectedTop);
        if (RecordBatch.baseOffset(scratch, 0) != writer.confirmedNext && !resetting)
        {
            errorHandler.onError(new IllegalStateException("stream " + new String(writer.key, StandardCharsets.UTF_8) +
                " ends inside a journal batch at " + writer.confirmedNext + "; rewriting it from the journal"));
            rewind(writer, 0, AppendScript.RESET);
            return 1;
        }
        final List<byte[]> args = new ArrayList<>();
        args.add(bytes(writer.expectedTop));
        int position = 0;
        int records = 0;
        while (position < length)
        {
            final int batchLength = RecordBatch.batchLength(scratch, position);
            final long base = RecordBatch.baseOffset(scratch, position);
            final int count = RecordBatch.recordCount(scratch, position);
            final byte[] batch = new byte[batchLength];
            scratch.getBytes(position, batch);
            args.add(bytes(StreamIds.id(base, count)));
            args.add(bytes(Integer.toString(count)));
            args.add(batch);
            writer.pendingLastBase = base;
            writer.pendingLastCount = count;
            writer.pendingNext = base + count;
            records += count;
            position += batchLength;
        }
        writer.pendingBytes = length;
        writer.pendingRecords = records;
        writer.inFlight = true;
        connection.async().<List<Object>>eval(AppendScript.SOURCE, ScriptOutputType.MULTI, new byte[][]{ writer.key },
            args.toArray(byte[][]::new)).whenComplete((result, error) ->
            events.offer(new Written(writer, result, error)));
        used[writer.connection] = true;
        return 1;
    }

    private void onWritten(final Written written)
    {
        final StreamWriter writer = written.writer();
        writer.inFlight = false;
        if (writer.closed)
        {
            return;
        }
        if (null != written.error())
        {
            onFailure(writer.connection, written.error(), "write-behind of " + writer.topic + "/" +
                writer.partition + " failed");
            return;
        }
        breaker.onSuccess();
        final String status = text(written.result().get(0));
        if (AppendScript.OK.equals(status))
        {
            writer.onConfirmed();
            recordsWritten.getAndAddRelease(writer.pendingRecords);
            bytesWritten.getAndAddRelease(writer.pendingBytes);
        }
        else
        {
            resync(writer, text(written.result().get(1)));
        }
    }

    void resync(final StreamWriter writer, final String top)
    {
        resyncs.incrementRelease();
        final long target = StreamIds.nextOffset(top);
        if (!writer.source.canRewind())
        {
            if (target < writer.confirmedNext)
            {
                errorHandler.onError(new IllegalStateException("Dragonfly lost records [" + target + ", " +
                    writer.confirmedNext + ") of Dragonfly-only " + writer.topic + "/" + writer.partition +
                    "; there is no journal to rewrite them from"));
            }
            writer.expectedTop = top;
            if (target > writer.confirmedNext)
            {
                writer.confirmedNext = target;
                writer.store(target, StreamIds.baseOffset(top), StreamIds.recordCount(top));
            }
            return;
        }
        if (target > writer.highWatermark.get())
        {
            errorHandler.onError(new IllegalStateException("stream " + new String(writer.key, StandardCharsets.UTF_8) +
                " ends at " + top + ", beyond the journal's high watermark " + writer.highWatermark.get() +
                "; rewriting it from the journal"));
            rewind(writer, 0, AppendScript.RESET);
            return;
        }
        rewind(writer, target, top);
    }

    private void rewind(final StreamWriter writer, final long target, final String expectedTop)
    {
        if (target > writer.confirmedNext)
        {
            writer.confirmedBytes += writer.bytesBetween(writer.confirmedNext, target, scratch);
        }
        else
        {
            writer.confirmedBytes -= writer.bytesBetween(target, writer.confirmedNext, scratch);
        }
        writer.confirmedNext = target;
        writer.expectedTop = expectedTop;
        final String lastId = AppendScript.RESET.equals(expectedTop) ? "" : expectedTop;
        writer.store(target, StreamIds.baseOffset(lastId), StreamIds.recordCount(lastId));
    }

    private void describeTopic(final StreamWriter writer, final StatefulRedisConnection<byte[], byte[]> connection)
    {
        if (topicsDescribed.contains(writer.topic))
        {
            return;
        }
        topicsDescribed.add(writer.topic);
        final Integer partitions = partitionCounts.get(writer.topic);
        final int index = writer.connection;
        connection.async().hset(bytes(ctx.topicKey(writer.topic)), Map.of(
            bytes("partitions"), bytes(String.valueOf(partitions)),
            bytes("storage"), bytes(storageKinds.getOrDefault(writer.topic, "journal"))))
            .whenComplete((result, error) ->
            {
                if (null != error)
                {
                    events.offer(new Fired(index, error));
                }
            });
    }

    private int deleteStreams()
    {
        for (int i = 0; i < connections.size(); i++)
        {
            if (null != connections.get(i))
            {
                final int index = i;
                for (final byte[][] keys : pendingDeletes)
                {
                    connections.get(i).async().del(keys).whenComplete((result, error) ->
                    {
                        if (null != error)
                        {
                            events.offer(new Fired(index, error));
                        }
                    });
                }
                final int deleted = pendingDeletes.size();
                pendingDeletes.clear();
                used[i] = true;
                return deleted;
            }
        }
        return 0;
    }

    void onFailure(final int connectionIndex, final Throwable error, final String what)
    {
        errors.incrementRelease();
        breaker.onFailure(nowNs);
        final Throwable cause = error instanceof CompletionException && null != error.getCause() ?
            error.getCause() : error;
        errorHandler.onError(new WriteBehindException(what + ": " + cause.getMessage(), cause));
        if (connectionIndex >= 0 && !(cause instanceof RedisCommandExecutionException) &&
            null != connections.get(connectionIndex))
        {
            connections.get(connectionIndex).closeAsync();
            connections.set(connectionIndex, null);
            for (final StreamWriter writer : writers)
            {
                if (writer.connection == connectionIndex && !writer.inFlight)
                {
                    topicsDescribed.remove(writer.topic);
                }
            }
        }
    }

    /**
     * Stop writing until {@link #resume()}: the journal keeps accepting and the lag grows. Any thread.
     */
    public void pause()
    {
        paused = true;
        pausedState.setRelease(1);
    }

    /**
     * Write again from where it stopped. Any thread.
     */
    public void resume()
    {
        paused = false;
        pausedState.setRelease(0);
    }

    /**
     * @return true while paused by an operator.
     */
    public boolean isPaused()
    {
        return paused;
    }

    /**
     * Dragonfly-only partitions still waiting to learn where their streams end. Any thread.
     *
     * @return how many are not ready.
     */
    public int partitionsNotReady()
    {
        return partitionsNotReady.get();
    }

    /**
     * @return the circuit state: 0 closed, 1 open, 2 half-open.
     */
    public int circuitState()
    {
        return breaker.state();
    }

    /**
     * {@inheritDoc}
     */
    public void onClose()
    {
        for (final StatefulRedisConnection<byte[], byte[]> connection : connections)
        {
            if (null != connection)
            {
                connection.close();
            }
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
        CloseHelper.closeAll(writers);
        writers.clear();
        CloseHelper.closeAll(circuitState, pausedState, recordsWritten, bytesWritten, errors, resyncs, dataLosses);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(final Object value)
    {
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
    }

    /**
     * A failed write-behind request, as recorded in the error log.
     */
    static final class WriteBehindException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        WriteBehindException(final String message, final Throwable cause)
        {
            super(message, cause);
        }
    }
}
