package io.portask.client;

import io.portask.protocol.CompressionPolicy;
import io.portask.protocol.RecordBatchWriter;
import io.portask.protocol.buffer.SafeBuffer;
import io.portask.protocol.link.RequestEncoder;
import io.portask.protocol.link.ResponseCorrelator;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import io.portask.protocol.sbe.MessageHeaderEncoder;
import io.portask.protocol.sbe.ProduceRequestEncoder;
import io.portask.protocol.sbe.ProduceResponseDecoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One partition's records being gathered into a record batch by a {@link Producer}, with the futures of the
 * records in it; completing or failing it settles every one and counts them off the producer's outstanding
 * records. A batch is its own Produce request and the handler of its answer (its encoders and decoder kept), and
 * goes back to the producer's pool once settled: a steady producer allocates no batch, request or answer.
 * <p>
 * Threading: appended under the producer's lock, shipped by the sender (or a caller shipping its own sync send),
 * answered on the thread that reads the answer.
 */
final class ProducerBatch implements RequestEncoder, ResponseCorrelator.ReplyHandler
{
    /** Told of the answer to a shipped batch. */
    interface Shipper
    {
        void onAnswer(ProducerBatch batch, long baseOffset);

        void onFailure(ProducerBatch batch, Throwable error);
    }

    final SafeBuffer buffer;
    final RecordBatchWriter writer = new RecordBatchWriter();
    /** Per record in order: its CompletableFuture, or the SendCallback it was sent with. */
    final List<Object> waiters = new ArrayList<>();
    private final AtomicLong outstanding;
    private final ProduceRequestEncoder request = new ProduceRequestEncoder();
    private final MessageHeaderEncoder requestHeader = new MessageHeaderEncoder();
    private final ProduceResponseDecoder answer = new ProduceResponseDecoder();
    TopicPartition topicPartition;
    long createdNs;
    int sealedLength;
    SafeBuffer shipBuffer;
    int shipLength;
    int attempts;
    private String topic;
    private byte[] topicBytes;
    private AckLevel ackLevel;
    private Shipper shipper;

    ProducerBatch(final byte[] memory, final AtomicLong outstanding)
    {
        this.outstanding = outstanding;
        this.buffer = new SafeBuffer(memory);
    }

    /**
     * Start empty, for a partition (a pooled batch's next use).
     *
     * @return this.
     */
    ProducerBatch reset(final TopicPartition topicPartition, final boolean producerFields)
    {
        this.topicPartition = topicPartition;
        if (!topicPartition.topic().equals(topic))
        {
            topic = topicPartition.topic();
            topicBytes = topic.getBytes(StandardCharsets.UTF_8);
        }
        writer.reset(buffer, 0, buffer.capacity(), producerFields);
        waiters.clear();
        createdNs = System.nanoTime();
        sealedLength = -1;
        shipBuffer = null;
        shipLength = 0;
        attempts = 0;
        return this;
    }

    /**
     * About to go on the wire (again): what it asks for and who hears the answer.
     */
    void shipping(final AckLevel ackLevel, final Shipper shipper)
    {
        this.ackLevel = ackLevel;
        this.shipper = shipper;
    }

    public int encode(final MutableDirectBuffer target, final int offset, final long correlationId)
    {
        return request.wrapAndApplyHeader(target, offset, requestHeader)
            .correlationId(correlationId).partition(topicPartition.partition()).ackLevel(ackLevel)
            .putTopic(topicBytes, 0, topicBytes.length).putBatch(shipBuffer, 0, shipLength).encodedLength() +
            MessageHeaderEncoder.ENCODED_LENGTH;
    }

    public void onReply(final DirectBuffer message, final int length, final MessageHeaderDecoder header)
    {
        shipper.onAnswer(this, answer.wrapAndApplyHeader(message, 0, header).baseOffset());
    }

    public void onError(final Throwable error)
    {
        shipper.onFailure(this, error);
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
