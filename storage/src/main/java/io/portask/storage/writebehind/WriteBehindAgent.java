package io.portask.storage.writebehind;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.portask.protocol.CounterFactory;
import io.portask.protocol.CounterIds;
import io.portask.protocol.RecordBatch;
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
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
    private long lingerNs;
    private int maxWriteBytes;
    private final CircuitBreaker breaker;
    private final AtomicCounter circuitState;
    private final AtomicCounter pausedState;
    private volatile boolean paused;
    private final AtomicCounter recordsWritten;
    private final AtomicCounter bytesWritten;
    private final AtomicCounter errors;
    private final AtomicCounter resyncs;
    private final AtomicCounter recordsSkipped;
    private final AtomicInteger partitionsNotReady = new AtomicInteger();
    private final ManyToOneConcurrentLinkedQueue<Object> events = new ManyToOneConcurrentLinkedQueue<>();
    private final List<StreamWriter> writers = new ArrayList<>();
    private UnsafeBuffer scratch;
    private final AtomicCounter dataLosses;
    private final StreamEndCheck endCheck;
    private final HandoffReader handoff;
    private final OlderReads olderReads;
    private final TopicKeys topicKeys;
    private final RedisConnections connections;
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

    private record Written(StreamWriter writer, List<Object> result, Throwable error)
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
        this.lingerNs = ctx.linger().toNanos();
        this.maxWriteBytes = ctx.maxWriteBytes();
        this.connections = new RedisConnections(ctx, events);
        this.circuitState = counterFactory.newCounter(CounterIds.WRITE_BEHIND_CIRCUIT,
            "write-behind circuit (0 closed, 1 open, 2 half-open)");
        this.breaker = new CircuitBreaker(ctx.failureThreshold(), ctx.initialBackoff().toNanos(),
            ctx.maxBackoff().toNanos(), circuitState);
        this.pausedState = counterFactory.newCounter(CounterIds.WRITE_BEHIND_PAUSED, "write-behind paused");
        this.recordsWritten = counterFactory.newCounter(CounterIds.WRITE_BEHIND_RECORDS, "write-behind records");
        this.bytesWritten = counterFactory.newCounter(CounterIds.WRITE_BEHIND_BYTES, "write-behind bytes");
        this.errors = counterFactory.newCounter(CounterIds.WRITE_BEHIND_ERRORS, "write-behind errors");
        this.resyncs = counterFactory.newCounter(CounterIds.WRITE_BEHIND_RESYNCS, "write-behind resyncs");
        this.recordsSkipped = counterFactory.newCounter(
            CounterIds.WRITE_BEHIND_SKIPPED, "write-behind records skipped (retention)");
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
        }, errorHandler, dataLosses, connections.server(), ctx.probeInterval().toNanos());
        this.handoff = new HandoffReader(ctx.handoff());
        this.olderReads = new OlderReads(ctx.handoff().olderReads());
        this.topicKeys = new TopicKeys(ctx, events);
        this.scratch = scratch(ctx.maxBatchLength() + maxWriteBytes);
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
        workCount += connections.connect(breaker, nowNs);
        workCount += endCheck.probe(connections.get(0), nowNs);
        final int readBack = olderReads.poll(connections.get(0));
        workCount += readBack;
        if (!paused)
        {
            workCount += send();
        }
        if (nowNs - nextLagUpdateNs >= 0)
        {
            nextLagUpdateNs = nowNs + LAG_UPDATE_INTERVAL_NS;
            writers.forEach(StreamWriter::updateLag);
        }
        return handoff.wakeCoreAfter(workCount, readBack);
    }

    private static UnsafeBuffer scratch(final int capacity)
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(org.agrona.BitUtil.align(capacity, 64), 64));
    }

    /** Change the linger and the largest write (a config reload), from the next duty cycle. Any thread. */
    public void tune(final java.time.Duration linger, final int maxWriteBytes)
    {
        events.offer(new Tuning(linger.toNanos(), maxWriteBytes));
    }

    private record Tuning(long lingerNs, int maxWriteBytes)
    {
    }

    private void onEvent(final Object event)
    {
        switch (event)
        {
            case Tuning tuning ->
            {
                lingerNs = tuning.lingerNs();
                maxWriteBytes = tuning.maxWriteBytes();
                if (scratch.capacity() < ctx.maxBatchLength() + maxWriteBytes)
                {
                    scratch = scratch(ctx.maxBatchLength() + maxWriteBytes);
                }
            }
            case Open open -> onOpen(open);
            case Deleted deleted -> onDeleted(deleted.topic());
            case RedisConnections.Connected connected -> onConnected(connected);
            case Written written -> onWritten(written);
            case TopicKeys.Fired fired ->
                onFailure(fired.index(), fired.error(), "write-behind metadata or trim command failed");
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
        final BatchSource source = journal ?
            new JournalSource(open.cursor(), open.journal()) : new QueueSource(open.dragonfly());
        final StreamWriter writer = new StreamWriter(topic, open.partition(), key,
            Math.floorMod(key.hashCode(), connections.size()), source, checkpoint,
            open.dragonfly(), open.highWatermark(), open.bytesAppended(),
            counterFactory.newCounter(CounterIds.WRITE_BEHIND_LAG_RECORDS, topic, open.partition(), null,
            "write-behind lag records: " + topic + "/" + open.partition()),
            counterFactory.newCounter(CounterIds.WRITE_BEHIND_LAG_BYTES, topic, open.partition(), null,
            "write-behind lag bytes: " + topic + "/" + open.partition()));
        if (!journal)
        {
            open.dragonfly().streamKey(writer.key);
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
        topicKeys.onOpened(open.topic());
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
        topicKeys.onDeleted(topic);
    }

    private void onConnected(final RedisConnections.Connected connected)
    {
        if (!connections.onConnected(connected))
        {
            onFailure(-1, connected.error(), "cannot connect to Dragonfly at " + connections.server());
            return;
        }
        breaker.onSuccess();
        endCheck.verifySoon();
    }

    private int send()
    {
        int workCount = 0;
        for (final StreamWriter writer : writers)
        {
            final StatefulRedisConnection<byte[], byte[]> connection = connections.get(writer.connection);
            if (null != connection && writer.hasUnsent() && writer.isDue(nowNs, lingerNs, maxWriteBytes) &&
                breaker.tryAcquire(nowNs))
            {
                topicKeys.describe(writer.topic, connection, writer.connection);
                workCount += write(writer, connection);
            }
            if (null != connection && !writer.inFlight && writer.shouldTrim(nowNs))
            {
                writer.trim(connection, nowNs, error -> events.offer(new TopicKeys.Fired(writer.connection, error)));
                connections.markUsed(writer.connection);
                workCount++;
            }
        }
        final int deletedOn = topicKeys.deleteStreams(connections.all());
        if (deletedOn >= 0)
        {
            connections.markUsed(deletedOn);
            workCount++;
        }
        connections.flushUsed();
        return workCount;
    }

    private int write(final StreamWriter writer, final StatefulRedisConnection<byte[], byte[]> connection)
    {
        recordsSkipped.getAndAddRelease(writer.skipDeleted());
        final int length = writer.source.read(
            writer.confirmedNext, maxWriteBytes, scratch, 0, scratch.capacity());
        if (0 == length)
        {
            return 0;
        }
        final boolean resetting = AppendScript.RESET.equals(writer.expectedTop);
        if (RecordBatch.baseOffset(scratch, 0) != writer.confirmedNext && !resetting)
        {
            errorHandler.onError(new IllegalStateException("stream " + new String(writer.key, StandardCharsets.UTF_8) +
                " ends inside a journal batch at " + writer.confirmedNext + "; rewriting it from the journal"));
            writer.rewind(0, AppendScript.RESET, scratch);
            return 1;
        }
        final byte[][] args = writer.takeForWrite(scratch, length);
        connection.async().<List<Object>>eval(AppendScript.SOURCE, ScriptOutputType.MULTI, new byte[][]{ writer.key },
            args).whenComplete((result, error) ->
            events.offer(new Written(writer, result, error)));
        connections.markUsed(writer.connection);
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
        writer.resync(top, scratch, errorHandler);
    }

    void onFailure(final int connectionIndex, final Throwable error, final String what)
    {
        errors.incrementRelease();
        breaker.onFailure(nowNs);
        final Throwable cause = error instanceof CompletionException && null != error.getCause() ?
            error.getCause() : error;
        errorHandler.onError(new WriteBehindException(what + ": " + cause.getMessage(), cause));
        if (connectionIndex >= 0 && !(cause instanceof RedisCommandExecutionException) &&
            connections.drop(connectionIndex))
        {
            for (final StreamWriter writer : writers)
            {
                if (writer.connection == connectionIndex && !writer.inFlight)
                {
                    topicKeys.forget(writer.topic);
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
        connections.close();
        CloseHelper.closeAll(writers);
        writers.clear();
        CloseHelper.closeAll(circuitState, pausedState, recordsWritten, bytesWritten, errors, resyncs, dataLosses,
            recordsSkipped);
    }

    private static String text(final Object value)
    {
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
    }
}
