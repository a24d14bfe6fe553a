package io.portask.client;

import io.portask.protocol.ErrorCode;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Producer}'s records gathered into one open batch per partition, then batches ready to ship: full, past
 * the linger, flushed, or sent again after a retriable error (first in line). What may ship next also respects
 * idempotence: one batch in flight per partition ({@link ProducerSequences}). A settled batch's memory is kept
 * for the next batch (up to {@link #SPARE_BUFFERS}), so a steady producer does not allocate a batch's bytes
 * per send.
 * <p>
 * Threading: callers' threads append; the sender thread takes; everything under one lock.
 */
final class ProducerBatches
{
    /** Batch buffers kept for reuse. */
    static final int SPARE_BUFFERS = 64;

    private final Object lock = new Object();
    private final ArrayDeque<byte[]> spareBuffers = new ArrayDeque<>();
    private final Map<TopicPartition, ProducerBatch> open = new HashMap<>();
    private final ArrayDeque<ProducerBatch> ready = new ArrayDeque<>();
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
        synchronized (lock)
        {
            ProducerBatch batch = open.get(topicPartition);
            if (null == batch || !batch.append(nowMs, key, value, headers, future))
            {
                if (null != batch)
                {
                    open.remove(topicPartition);
                    ready.addLast(batch);
                }
                final int needed = ProducerBatch.recordLength(key, value, headers) + 64;
                if (needed > maxBatchBytes)
                {
                    future.completeExceptionally(new PortaskException(ErrorCode.MESSAGE_TOO_LARGE,
                        "record of " + needed + " bytes exceeds the largest batch, " + maxBatchBytes));
                    return future;
                }
                final byte[] spare = needed <= batchBytes ? spareBuffers.pollFirst() : null;
                final byte[] memory = null != spare ? spare : new byte[Math.max(batchBytes, needed)];
                batch = new ProducerBatch(topicPartition, memory, outstanding, sequences.enabled());
                batch.append(nowMs, key, value, headers, future);
                open.put(topicPartition, batch);
            }
            outstanding.incrementAndGet();
            if (batch.writer.length() >= batchBytes)
            {
                open.remove(topicPartition);
                ready.addLast(batch);
            }
        }
        return future;
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
                final Iterator<ProducerBatch> batches = open.values().iterator();
                while (batches.hasNext())
                {
                    final ProducerBatch batch = batches.next();
                    if (0 == lingerNs || now - batch.createdNs >= lingerNs || draining)
                    {
                        batches.remove();
                        ready.addLast(batch);
                    }
                }
            }
            final Iterator<ProducerBatch> batches = ready.iterator();
            while (batches.hasNext())
            {
                final ProducerBatch batch = batches.next();
                if (sequences.mayShip(batch))
                {
                    batches.remove();
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
            ready.addFirst(batch);
        }
    }

    /**
     * @param failedForGood true when it will not be sent again.
     */
    void settled(final ProducerBatch batch, final boolean failedForGood)
    {
        synchronized (lock)
        {
            sequences.done(batch, failedForGood);
            final byte[] memory = batch.buffer.byteArray();
            if (memory.length == batchBytes && spareBuffers.size() < SPARE_BUFFERS)
            {
                spareBuffers.addFirst(memory);
            }
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
