package io.portask.client;

import io.portask.protocol.buffer.SafeBuffer;
import io.portask.protocol.link.RequestEncoder;
import io.portask.protocol.link.ResponseCorrelator;
import io.portask.protocol.sbe.FetchRequestEncoder;
import io.portask.protocol.sbe.FetchResponseDecoder;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import io.portask.protocol.sbe.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * One fetched partition: its position, its one fetch in flight (the request encoded by this slot's own encoders)
 * and the answer, copied by the connection's reader into this slot's buffer, reused from answer to answer (grown
 * when a larger one comes). Nothing is allocated per fetch. A seek while a fetch is in flight makes its answer
 * stale: it is dropped, and the next fetch starts at the new position.
 * <p>
 * Threading: the poll thread sends and harvests; the reader thread answers between the two (the state is the
 * hand-over: the reader writes the buffer, then the state).
 */
final class FetchSlot implements RequestEncoder, ResponseCorrelator.ReplyHandler
{
    static final int IDLE = 0;
    static final int IN_FLIGHT = 1;
    static final int ANSWERED = 2;
    static final int FAILED = 3;

    final TopicPartition partition;
    private final byte[] topic;
    private final FetchRequestEncoder request = new FetchRequestEncoder();
    private final MessageHeaderEncoder requestHeader = new MessageHeaderEncoder();
    private final MessageHeaderDecoder answerHeader = new MessageHeaderDecoder();
    private final FetchResponseDecoder answer = new FetchResponseDecoder();
    private final SafeBuffer answerBuffer = new SafeBuffer();
    private final Runnable wakeUp;
    private volatile int state = IDLE;
    private byte[] answerBytes = new byte[0];
    private Throwable error;
    private long position;
    private boolean stale;
    private long fetchOffset;
    private int maxBytes;
    private int maxWaitMs;

    FetchSlot(final TopicPartition partition, final long position, final Runnable wakeUp)
    {
        this.partition = partition;
        this.topic = partition.topic().getBytes(StandardCharsets.UTF_8);
        this.position = position;
        this.wakeUp = wakeUp;
    }

    long position()
    {
        return position;
    }

    /**
     * Move the position; an answer in flight is dropped when it comes.
     */
    void seek(final long offset)
    {
        position = offset;
        stale = IDLE != state;
    }

    int state()
    {
        return state;
    }

    /**
     * Mark the fetch from the position in flight, before it is sent (its answer may come before the send returns).
     */
    void sending(final int maxBytes, final int maxWaitMs)
    {
        this.fetchOffset = position;
        this.maxBytes = maxBytes;
        this.maxWaitMs = maxWaitMs;
        this.stale = false;
        state = IN_FLIGHT;
    }

    /**
     * Take the answer or the failure; the slot is idle again.
     *
     * @return false when there is none, or it is stale.
     */
    boolean take()
    {
        final int now = state;
        if (ANSWERED != now && FAILED != now)
        {
            return false;
        }
        state = IDLE;
        return !stale;
    }

    /**
     * @return the failure taken, or null after an answer.
     */
    Throwable error()
    {
        return error;
    }

    /**
     * @return the answer taken, decoded over this slot's buffer: its batches follow.
     */
    FetchResponseDecoder answer()
    {
        return answer.wrapAndApplyHeader(answerBuffer, 0, answerHeader.wrap(answerBuffer, 0));
    }

    DirectBuffer answerBuffer()
    {
        return answerBuffer;
    }

    void moveTo(final long next)
    {
        position = next;
    }

    public int encode(final MutableDirectBuffer buffer, final int offset, final long correlationId)
    {
        return request.wrapAndApplyHeader(buffer, offset, requestHeader)
            .correlationId(correlationId).partition(partition.partition()).fetchOffset(fetchOffset)
            .maxBytes(maxBytes).maxWaitMs(maxWaitMs).putTopic(topic, 0, topic.length)
            .encodedLength() + MessageHeaderEncoder.ENCODED_LENGTH;
    }

    public void onReply(final DirectBuffer message, final int length, final MessageHeaderDecoder header)
    {
        if (answerBytes.length < length)
        {
            answerBytes = new byte[Math.max(length, answerBytes.length * 2)];
        }
        message.getBytes(0, answerBytes, 0, length);
        answerBuffer.wrap(answerBytes, 0, length);
        error = null;
        state = ANSWERED;
        wakeUp.run();
    }

    public void onError(final Throwable failure)
    {
        error = failure;
        state = FAILED;
        wakeUp.run();
    }
}
