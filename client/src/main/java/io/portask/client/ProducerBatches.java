package io.portask.client;

import io.portask.protocol.ErrorCode;
import io.portask.protocol.RecordBatchWriter;
import org.agrona.DirectBuffer;
import org.agrona.collections.Object2ObjectHashMap;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Producer}'s records gathered into one open batch per partition, then batches ready to ship: full, past
 * the linger, flushed, or sent again after a retriable error (first in line). What may ship next also respects
 * idempotence: one batch in flight per partition ({@link ProducerSequences}). A settled batch is kept for
 * the next (up to {@link #SPARE_BATCHES}), its memory and encoders with it, and the maps and lines hold no
 * per-entry nodes: a steady producer allocates nothing per batch.
 * <p>
 * Threading: callers' threads append; the sender thread takes; everything under one lock.
 */
final class ProducerBatches
{
    /** Room a batch needs beyond its records: its header and producer fields, with slack. */
    private static final int BATCH_OVERHEAD = 64;
    /** Settled batches kept for reuse. */
    static final int SPARE_BATCHES = 64;

    private final Object lock = new Object();
    private final ArrayDeque<ProducerBatch> spareBatches = new ArrayDeque<>();
    private final Object2ObjectHashMap<TopicPartition, ProducerBatch> open = new Object2ObjectHashMap<>();
    private final ArrayList<ProducerBatch> ready = new ArrayList<>();
    private final AtomicLong outstanding = new AtomicLong();
    private final int batchBytes;
    private final int maxBatchBytes;
    private final long lingerNs;
    private final ProducerSequences sequences;

    ProducerBatches(final int batchBytes, final int maxBatchBytes, final long lingerNs,
        final ProducerSequences sequences)
    {
        this.batchBytes = batchBytes;
        this.maxBatchBytes = maxBatchBytes;
        this.lingerNs = lingerNs;
        this.sequences = sequences;
    }

    /**
     * Add a record to its partition's open batch, starting a new one when it does not fit.
     *
     * @return the record's future: failed at once (MESSAGE_TOO_LARGE) when no batch could hold it.
     */
    CompletableFuture<RecordMetadata> append(
        final TopicPartition topicPartition, final long nowMs, final byte[] key, final byte[] value,
        final List<Header> headers)
    {
        final CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
        final int length = ProducerBatch.recordLength(key, value, headers);
        synchronized (lock)
        {
            final ProducerBatch batch = batchWithRoom(topicPartition, length);
            if (null == batch)
            {
                future.completeExceptionally(tooLarge(length));
                return future;
            }
            batch.append(nowMs, key, value, headers, future);
            appended(topicPartition, batch);
        }
        return future;
    }

    /**
     * Add a record copied from direct buffers, to be answered through a callback: nothing allocated per record.
     * A record no batch could hold is answered MESSAGE_TOO_LARGE at once (outside the lock).
     *
     * @return whether it was added.
     */
    boolean append(
        final TopicPartition topicPartition, final long nowMs, final DirectBuffer key, final int keyOffset,
        final int keyLength, final DirectBuffer value, final int valueOffset, final int valueLength,
        final SendCallback callback)
    {
        final int length = RecordBatchWriter.recordLength(null == key ? -1 : keyLength, valueLength, 0);
        synchronized (lock)
        {
            final ProducerBatch batch = batchWithRoom(topicPartition, length);
            if (null != batch)
            {
                batch.writer.append(nowMs, key, keyOffset, keyLength, value, valueOffset, valueLength);
                batch.waiters.add(callback);
                appended(topicPartition, batch);
                return true;
            }
        }
        callback.onCompletion(topicPartition, -1, tooLarge(length));
        return false;
    }

    private PortaskException tooLarge(final int recordLength)
    {
        return new PortaskException(ErrorCode.MESSAGE_TOO_LARGE, "record of " + (recordLength + BATCH_OVERHEAD) +
            " bytes exceeds the largest batch, " + maxBatchBytes);
    }

    /**
     * The partition's open batch when the record fits, else a new one (the full one goes to the ready line); null
     * when no batch could hold the record. Under the lock.
     */
    private ProducerBatch batchWithRoom(final TopicPartition topicPartition, final int recordLength)
    {
        ProducerBatch batch = open.get(topicPartition);
        if (null != batch && batch.writer.hasRoomFor(recordLength))
        {
            return batch;
        }
        if (null != batch)
        {
            open.remove(topicPartition);
            ready.add(batch);
        }
        final int needed = recordLength + BATCH_OVERHEAD;
        if (needed > maxBatchBytes)
        {
            return null;
        }
        final ProducerBatch spare = needed <= batchBytes ? spareBatches.pollFirst() : null;
        batch = (null != spare ? spare : new ProducerBatch(new byte[Math.max(batchBytes, needed)], outstanding))
            .reset(topicPartition, sequences.enabled());
        open.put(topicPartition, batch);
        return batch;
    }

    /**
     * Count a record just appended, and move its batch to the ready line when it is full. Under the lock.
     */
    private void appended(final TopicPartition topicPartition, final ProducerBatch batch)
    {
        outstanding.incrementAndGet();
        if (batch.writer.length() >= batchBytes)
        {
            open.remove(topicPartition);
            ready.add(batch);
        }
    }

    /**
     * @param draining true when the producer closes: every open batch is ready.
     * @return the next batch to ship, marked in flight, or null.
     */
    ProducerBatch next(final boolean draining)
    {
        synchronized (lock)
        {
            if (ready.isEmpty() && !open.isEmpty())
            {
                final long now = System.nanoTime();
                final Object2ObjectHashMap<TopicPartition, ProducerBatch>.ValueIterator batches =
                    open.values().iterator();
                while (batches.hasNext())
                {
                    final ProducerBatch batch = batches.next();
                    if (0 == lingerNs || now - batch.createdNs >= lingerNs || draining)
                    {
                        batches.remove();
                        ready.add(batch);
                    }
                }
            }
            for (int i = 0; i < ready.size(); i++)
            {
                final ProducerBatch batch = ready.get(i);
                if (sequences.mayShip(batch))
                {
                    ready.remove(i);
                    sequences.shipping(batch);
                    return batch;
                }
            }
            return null;
        }
    }

    /**
     * Every open batch is ready now.
     */
    void flush()
    {
        synchronized (lock)
        {
            ready.addAll(open.values());
            open.clear();
        }
    }

    /**
     * A batch to send again, first in line (it stays its partition's batch in flight).
     */
    void retry(final ProducerBatch batch)
    {
        synchronized (lock)
        {
            ready.add(0, batch);
        }
    }

    /**
     * @param failedForGood true when it will not be sent again.
     * @return whether batches are ready to ship.
     */
    boolean settled(final ProducerBatch batch, final boolean failedForGood)
    {
        synchronized (lock)
        {
            sequences.done(batch, failedForGood);
            if (batch.buffer.capacity() == batchBytes && spareBatches.size() < SPARE_BATCHES)
            {
                spareBatches.addFirst(batch);
            }
            return !ready.isEmpty();
        }
    }

    /**
     * @return records appended and not yet answered.
     */
    long outstanding()
    {
        return outstanding.get();
    }
}
