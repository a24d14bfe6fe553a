package io.portask.client;

import io.portask.protocol.CompressionPolicy;
import io.portask.protocol.RecordBatchWriter;
import io.portask.protocol.buffer.SafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One partition's records being gathered into a record batch by a {@link Producer}, with the futures of the
 * records in it; completing or failing it settles every one and counts them off the producer's outstanding
 * records.
 * <p>
 * Threading: appended under the producer's lock, shipped and settled by its sender thread.
 */
final class ProducerBatch
{
    final TopicPartition topicPartition;
    final SafeBuffer buffer;
    final RecordBatchWriter writer = new RecordBatchWriter();
    /** Per record in order: its CompletableFuture, or the SendCallback it was sent with. */
    final List<Object> waiters = new ArrayList<>();
    final long createdNs = System.nanoTime();
    private final AtomicLong outstanding;
    int sealedLength = -1;
    SafeBuffer shipBuffer;
    int shipLength;
    int attempts;

    ProducerBatch(
        final TopicPartition topicPartition, final byte[] memory, final AtomicLong outstanding,
        final boolean producerFields)
    {
        this.topicPartition = topicPartition;
        this.outstanding = outstanding;
        this.buffer = new SafeBuffer(memory);
        writer.reset(buffer, 0, memory.length, producerFields);
    }

    /**
     * @return the bytes a record takes in a batch.
     */
    static int recordLength(final byte[] key, final byte[] value, final List<Header> headers)
    {
        int headersLength = 0;
        for (final Header header : headers)
        {
            headersLength += RecordBatchWriter.headerLength(header.key().getBytes(StandardCharsets.UTF_8).length,
                null == header.value() ? -1 : header.value().length);
        }
        return RecordBatchWriter.recordLength(null == key ? -1 : key.length, null == value ? -1 : value.length,
            headersLength);
    }

    boolean append(
        final long timestampMs,
        final byte[] key,
        final byte[] value,
        final List<Header> headers,
        final CompletableFuture<RecordMetadata> future)
    {
        final boolean appended;
        if (headers.isEmpty())
        {
            appended = writer.append(timestampMs, key, value);
        }
        else
        {
            final byte[][] keys = new byte[headers.size()][];
            final byte[][] values = new byte[headers.size()][];
            for (int i = 0; i < keys.length; i++)
            {
                keys[i] = headers.get(i).key().getBytes(StandardCharsets.UTF_8);
                values[i] = headers.get(i).value();
            }
            appended = writer.append(timestampMs, key, value, keys, values);
        }
        if (appended)
        {
            waiters.add(future);
        }
        return appended;
    }

    /**
     * Seal the batch and settle what is shipped (compressed or not), once: a retry ships the same bytes.
     *
     * @param compressor the producer's compression policy.
     * @param sequences  the producer's idempotence: producer fields and the partition's next sequence.
     */
    void seal(final CompressionPolicy compressor, final ProducerSequences sequences)
    {
        if (sealedLength < 0)
        {
            sealedLength = sequences.seal(this);
            final SafeBuffer compressed = compressor.compress(buffer, sealedLength);
            shipBuffer = null == compressed ? buffer : compressed;
            shipLength = null == compressed ? sealedLength : compressed.capacity();
        }
    }

    void complete(final long baseOffset)
    {
        for (int i = 0; i < waiters.size(); i++)
        {
            settle(waiters.get(i), baseOffset < 0 ? -1 : baseOffset + i, null);
        }
        outstanding.addAndGet(-waiters.size());
    }

    void fail(final PortaskException error)
    {
        for (int i = 0; i < waiters.size(); i++)
        {
            settle(waiters.get(i), -1, error);
        }
        outstanding.addAndGet(-waiters.size());
    }

    @SuppressWarnings("unchecked")
    private void settle(final Object waiter, final long offset, final PortaskException error)
    {
        if (waiter instanceof SendCallback callback)
        {
            try
            {
                callback.onCompletion(topicPartition, offset, error);
            }
            catch (final RuntimeException ex)
            {
                // the application's own failure: the batch's other records are still answered
                System.getLogger(Producer.class.getName()).log(System.Logger.Level.WARNING,
                    "a send callback threw", ex);
            }
        }
        else if (null == error)
        {
            ((CompletableFuture<RecordMetadata>)waiter).complete(
                new RecordMetadata(topicPartition.topic(), topicPartition.partition(), offset));
        }
        else
        {
            ((CompletableFuture<RecordMetadata>)waiter).completeExceptionally(error);
        }
    }
}
