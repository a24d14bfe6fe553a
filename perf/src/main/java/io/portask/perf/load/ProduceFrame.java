package io.portask.perf.load;

import io.portask.protocol.Frame;
import io.portask.protocol.RecordBatchWriter;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.MessageHeaderEncoder;
import io.portask.protocol.sbe.ProduceRequestEncoder;
import io.portask.protocol.sbe.ProduceResponseEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Encodes Produce frames of one record into one reused direct buffer, allocation free: for load clients that
 * write raw frames. Not thread safe; one per sending thread.
 */
public final class ProduceFrame
{
    /** Bytes of a ProduceResponse frame, what a one-in-flight client reads back. */
    public static final int RESPONSE_LENGTH = Frame.HEADER_LENGTH + MessageHeaderEncoder.ENCODED_LENGTH +
        ProduceResponseEncoder.BLOCK_LENGTH;

    private final String topic;
    private final int maxValueLength;
    private final ByteBuffer bytes;
    private final UnsafeBuffer frame;
    private final ProduceRequestEncoder encoder = new ProduceRequestEncoder();
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final RecordBatchWriter writer = new RecordBatchWriter();

    /**
     * @param topic          topic of every frame.
     * @param maxValueLength largest record value.
     */
    public ProduceFrame(final String topic, final int maxValueLength)
    {
        this.topic = topic;
        this.maxValueLength = maxValueLength;
        bytes = ByteBuffer.allocateDirect(maxValueLength + topic.length() + 256);
        frame = new UnsafeBuffer(bytes);
    }

    /**
     * A frame built once, for clients that send the same bytes again and again.
     *
     * @param topic     topic name.
     * @param partition partition.
     * @param ackLevel  when the broker answers.
     * @param size      record value bytes (zeros).
     * @return a direct buffer holding exactly the frame.
     */
    public static ByteBuffer of(final String topic, final int partition, final AckLevel ackLevel, final int size)
    {
        return new ProduceFrame(topic, size).encode(1, partition, ackLevel, new UnsafeBuffer(new byte[size]), size);
    }

    /**
     * @param correlationId echoed in the answer.
     * @param partition     partition.
     * @param ackLevel      when the broker answers.
     * @param value         record value.
     * @param length        value bytes, up to the maximum given at construction.
     * @return the reused buffer, position 0, limit the frame's length; valid until the next call.
     */
    public ByteBuffer encode(
        final long correlationId,
        final int partition,
        final AckLevel ackLevel,
        final DirectBuffer value,
        final int length)
    {
        if (length > maxValueLength)
        {
            throw new IllegalArgumentException("value of " + length + " bytes exceeds " + maxValueLength);
        }
        encoder.wrapAndApplyHeader(frame, Frame.HEADER_LENGTH, header)
            .correlationId(correlationId).partition(partition).ackLevel(ackLevel).topic(topic);
        final int lengthAt = encoder.limit();
        writer.reset(frame, lengthAt + 4, length + 128);
        writer.append(System.currentTimeMillis(), null, 0, 0, value, 0, length);
        final int batchLength = writer.seal();
        frame.putInt(lengthAt, batchLength, Frame.BYTE_ORDER);
        encoder.limit(lengthAt + 4 + batchLength);
        final int frameLength = Frame.wrap(frame, 0, encoder.encodedLength() + MessageHeaderEncoder.ENCODED_LENGTH);
        return bytes.clear().limit(frameLength);
    }
}
