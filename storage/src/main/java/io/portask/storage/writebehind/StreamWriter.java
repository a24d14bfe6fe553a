package io.portask.storage.writebehind;

import io.lettuce.core.XTrimArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.portask.protocol.RecordBatch;
import io.portask.storage.DragonflyPartitionLog;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The write-behind state of one partition: how far Dragonfly has confirmed, the id its stream must end with,
 * and whether a write is in flight (at most one, so a partition's writes are applied in order).
 * <p>
 * Lag: records = the partition's high watermark - confirmed offset; bytes = unconfirmed bytes found in the
 * journal when the writer opened + bytes appended since - bytes confirmed since.
 * <p>
 * Threading: the write-behind agent only.
 */
final class StreamWriter implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(StreamWriter.class);

    final String topic;
    final int partition;
    final byte[] key;
    final int connection;
    final BatchSource source;
    final Checkpoint checkpoint;
    final DragonflyPartitionLog dragonfly;
    final AtomicCounter highWatermark;
    final AtomicCounter bytesAppended;
    final AtomicCounter lagRecords;
    final AtomicCounter lagBytes;
    long confirmedNext;
    String expectedTop;
    long backlogBytes;
    long confirmedBytes;
    boolean inFlight;
    boolean closed;
    long unsentSinceNs;
    long pendingNext;
    long pendingLastBase;
    int pendingLastCount;
    int pendingBytes;
    int pendingRecords;
    long trimmedTo;
    long nextTrimNs;

    StreamWriter(
        final String topic,
        final int partition,
        final String key,
        final int connection,
        final BatchSource source,
        final Checkpoint checkpoint,
        final DragonflyPartitionLog dragonfly,
        final AtomicCounter highWatermark,
        final AtomicCounter bytesAppended,
        final AtomicCounter lagRecords,
        final AtomicCounter lagBytes)
    {
        this.topic = topic;
        this.partition = partition;
        this.key = key.getBytes(StandardCharsets.UTF_8);
        this.connection = connection;
        this.source = source;
        this.checkpoint = checkpoint;
        this.dragonfly = dragonfly;
        this.highWatermark = highWatermark;
        this.bytesAppended = bytesAppended;
        this.lagRecords = lagRecords;
        this.lagBytes = lagBytes;
    }

    /**
     * Retention deleted records before Dragonfly had them: never tail a deleted file, go on from the log start.
     *
     * @return records skipped, 0 when none.
     */
    long skipDeleted()
    {
        final long logStart = source.logStartOffset();
        if (confirmedNext >= logStart)
        {
            return 0;
        }
        LOG.warn("write-behind of {}/{} skips offsets [{}, {}): retention deleted them before they were written " +
            "behind", topic, partition, confirmedNext, logStart);
        final long skipped = logStart - confirmedNext;
        confirmedNext = logStart;
        return skipped;
    }

    /**
     * @return true when the source's log start passed what the stream was trimmed to and a second went by.
     */
    boolean shouldTrim(final long nowNs)
    {
        return nowNs >= nextTrimNs && source.logStartOffset() > trimmedTo;
    }

    /**
     * Trim a journal partition's stream to the journal's log start (XTRIM MINID): what retention deleted locally
     * goes from Dragonfly too, at most once a second.
     *
     * @param connection to Dragonfly.
     * @param nowNs      the agent's clock.
     * @param onError    told of a failed trim, on Lettuce's thread.
     */
    void trim(final StatefulRedisConnection<byte[], byte[]> connection, final long nowNs,
        final Consumer<Throwable> onError)
    {
        nextTrimNs = nowNs + TimeUnit.SECONDS.toNanos(1);
        trimmedTo = source.logStartOffset();
        connection.async().xtrim(key, XTrimArgs.Builder.minId(trimmedTo + "-0")).whenComplete((trimmed, error) ->
        {
            if (null != error)
            {
                onError.accept(error);
            }
        });
    }

    boolean hasUnsent()
    {
        return !inFlight && !closed && confirmedNext < end();
    }

    /**
     * The offset after the last record to write: the partition's high watermark, or for a Dragonfly-only
     * partition (whose watermark is what Dragonfly confirmed) the last record handed over.
     */
    private long end()
    {
        return null != dragonfly ? dragonfly.appendedNext() : highWatermark.get();
    }

    /**
     * Whether the unsent batches should go now: they have waited the linger, or fill a write on their own. A
     * Dragonfly-only partition's batches always go at once: their producers wait for the confirmation, and the
     * batches that arrive while a write is in flight go together in the next one (group commit, no linger).
     */
    boolean isDue(final long nowNs, final long lingerNs, final int maxWriteBytes)
    {
        if (null != dragonfly)
        {
            return true;
        }
        if (0 == unsentSinceNs)
        {
            unsentSinceNs = nowNs;
        }
        return nowNs - unsentSinceNs >= lingerNs ||
            backlogBytes + bytesAppended.get() - confirmedBytes >= maxWriteBytes;
    }

    /**
     * @return true for a Dragonfly-only partition that does not know yet where its stream ends (not ready).
     */
    boolean awaitsStreamEnd()
    {
        return null != dragonfly && null == expectedTop;
    }

    /**
     * A Dragonfly-only partition learnt where its stream ends: it resumes there and may serve.
     */
    void onStreamEndFound(final String top)
    {
        expectedTop = top;
        confirmedNext = StreamIds.nextOffset(top);
        dragonfly.ready(confirmedNext, top);
    }

    /**
     * Take the batches read into {@code scratch} as the next write: the conditional append's arguments (the top the
     * stream must have, then id, record count and bytes of each batch), remembering where the stream will end.
     */
    byte[][] takeForWrite(final DirectBuffer scratch, final int length)
    {
        final List<byte[]> args = new ArrayList<>();
        args.add(expectedTop.getBytes(StandardCharsets.UTF_8));
        int position = 0;
        int records = 0;
        while (position < length)
        {
            final int batchLength = RecordBatch.batchLength(scratch, position);
            final long base = RecordBatch.baseOffset(scratch, position);
            final int count = RecordBatch.recordCount(scratch, position);
            final byte[] batch = new byte[batchLength];
            scratch.getBytes(position, batch);
            args.add(StreamIds.id(base, count).getBytes(StandardCharsets.UTF_8));
            args.add(Integer.toString(count).getBytes(StandardCharsets.UTF_8));
            args.add(batch);
            pendingLastBase = base;
            pendingLastCount = count;
            pendingNext = base + count;
            records += count;
            position += batchLength;
        }
        pendingBytes = length;
        pendingRecords = records;
        inFlight = true;
        return args.toArray(byte[][]::new);
    }

    /**
     * The stream ends at {@code top}, not where this writer expected: go on from there. A journal partition rewrites
     * what the stream lacks (or all of it, when the stream claims more than the journal holds); a Dragonfly-only
     * one has nothing to rewrite from, so it records the loss and moves on.
     */
    void resync(final String top, final MutableDirectBuffer scratch, final ErrorHandler errorHandler)
    {
        final long target = StreamIds.nextOffset(top);
        if (!source.canRewind())
        {
            if (target < confirmedNext)
            {
                errorHandler.onError(new IllegalStateException("Dragonfly lost records [" + target + ", " +
                    confirmedNext + ") of Dragonfly-only " + topic + "/" + partition +
                    "; there is no journal to rewrite them from"));
            }
            expectedTop = top;
            if (target > confirmedNext)
            {
                confirmedNext = target;
                store(target, StreamIds.baseOffset(top), StreamIds.recordCount(top));
            }
            return;
        }
        if (target > highWatermark.get())
        {
            errorHandler.onError(new IllegalStateException("stream " + new String(key, StandardCharsets.UTF_8) +
                " ends at " + top + ", beyond the journal's high watermark " + highWatermark.get() +
                "; rewriting it from the journal"));
            rewind(0, AppendScript.RESET, scratch);
            return;
        }
        rewind(target, top, scratch);
    }

    /**
     * Go on writing from {@code target}, expecting the stream to end at {@code top} (or be reset).
     */
    void rewind(final long target, final String top, final MutableDirectBuffer scratch)
    {
        if (target > confirmedNext)
        {
            confirmedBytes += bytesBetween(confirmedNext, target, scratch);
        }
        else
        {
            confirmedBytes -= bytesBetween(target, confirmedNext, scratch);
        }
        confirmedNext = target;
        expectedTop = top;
        final String lastId = AppendScript.RESET.equals(top) ? "" : top;
        store(target, StreamIds.baseOffset(lastId), StreamIds.recordCount(lastId));
    }

    void updateLag()
    {
        lagRecords.setRelease(Math.max(0, end() - confirmedNext));
        lagBytes.setRelease(Math.max(0, backlogBytes + bytesAppended.get() - confirmedBytes));
    }

    void onConfirmed()
    {
        unsentSinceNs = 0;
        confirmedNext = pendingNext;
        expectedTop = StreamIds.id(pendingLastBase, pendingLastCount);
        confirmedBytes += pendingBytes;
        store(confirmedNext, pendingLastBase, pendingLastCount);
    }

    /**
     * Record how far Dragonfly has confirmed: in the checkpoint (journal partitions), or as the visible high
     * watermark (Dragonfly-only partitions).
     */
    void store(final long nextOffset, final long lastBase, final int lastCount)
    {
        if (null != checkpoint)
        {
            checkpoint.store(nextOffset, lastBase, lastCount);
        }
        if (null != dragonfly)
        {
            dragonfly.confirm(nextOffset);
        }
    }

    /**
     * Bytes of the batches in [from, to), read from the journal.
     */
    long bytesBetween(final long from, final long to, final MutableDirectBuffer scratch)
    {
        long bytes = 0;
        long next = from;
        while (next < to)
        {
            final int length = source.read(next, scratch.capacity() / 2, scratch, 0, scratch.capacity());
            if (0 == length)
            {
                break;
            }
            int position = 0;
            while (position < length && next < to)
            {
                final int batchLength = RecordBatch.batchLength(scratch, position);
                next = RecordBatch.baseOffset(scratch, position) + RecordBatch.recordCount(scratch, position);
                bytes += batchLength;
                position += batchLength;
            }
        }
        return bytes;
    }

    public void close()
    {
        closed = true;
        CloseHelper.closeAll(source, checkpoint, lagRecords, lagBytes);
    }
}
