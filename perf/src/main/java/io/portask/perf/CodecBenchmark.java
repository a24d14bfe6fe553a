package io.portask.perf;

import io.portask.protocol.ErrorCode;
import io.portask.protocol.Frame;
import io.portask.protocol.RecordBatch;
import io.portask.protocol.RecordBatchWriter;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import io.portask.protocol.sbe.MessageHeaderEncoder;
import io.portask.protocol.sbe.ProduceRequestDecoder;
import io.portask.protocol.sbe.ProduceRequestEncoder;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.charset.StandardCharsets;

/**
 * Encode and decode of a whole Produce frame (envelope CRC, SBE fields, record batch with its CRC), as the
 * producer builds it and the broker checks it. Records have a 100-byte value and no key. The hot path must
 * allocate nothing: run with {@code -prof gc} and read gc.alloc.rate.norm.
 */
@State(Scope.Thread)
public class CodecBenchmark extends BenchmarkBase
{
    @Param({ "1", "64" })
    int records;

    private final UnsafeBuffer frame = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64 * 1024, 64));
    private final UnsafeBuffer value = new UnsafeBuffer(BufferUtil.allocateDirectAligned(128, 64));
    private final UnsafeBuffer topic = new UnsafeBuffer("orders".getBytes(StandardCharsets.UTF_8));
    private final UnsafeBuffer topicView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer batchView = new UnsafeBuffer(0, 0);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ProduceRequestEncoder encoder = new ProduceRequestEncoder();
    private final ProduceRequestDecoder decoder = new ProduceRequestDecoder();
    private final RecordBatchWriter writer = new RecordBatchWriter();
    private final RecordBatch batch = new RecordBatch();
    private long correlationId;
    private int encodedLength;

    /**
     * Fill the value and encode one frame for the decode benchmark.
     */
    @Setup
    public void setup()
    {
        for (int i = 0; i < 100; i++)
        {
            value.putByte(i, (byte)('a' + i % 26));
        }
        encodedLength = encode();
    }

    /**
     * @return frame length.
     */
    @Benchmark
    public int encode()
    {
        encoder.wrapAndApplyHeader(frame, Frame.HEADER_LENGTH, headerEncoder)
            .correlationId(++correlationId)
            .partition(0)
            .ackLevel(AckLevel.JOURNAL)
            .putTopic(topic, 0, topic.capacity());
        final int lengthAt = encoder.limit();
        writer.reset(frame, lengthAt + 4, frame.capacity() - lengthAt - 4);
        final long now = 1_700_000_000_000L + correlationId;
        for (int i = 0; i < records; i++)
        {
            writer.append(now, null, 0, 0, value, 0, 100);
        }
        final int batchLength = writer.seal();
        frame.putInt(lengthAt, batchLength, Frame.BYTE_ORDER);
        encoder.limit(lengthAt + 4 + batchLength);
        return Frame.wrap(frame, 0, encoder.encodedLength() + MessageHeaderEncoder.ENCODED_LENGTH);
    }

    /**
     * @return record count, after every check the broker makes.
     */
    @Benchmark
    public int decode()
    {
        final int messageLength = encodedLength - Frame.HEADER_LENGTH;
        if (!Frame.isCrcValid(frame, 0, messageLength))
        {
            throw new IllegalStateException("frame CRC");
        }
        headerDecoder.wrap(frame, Frame.HEADER_LENGTH);
        decoder.wrapAndApplyHeader(frame, Frame.HEADER_LENGTH, headerDecoder);
        final long id = decoder.correlationId();
        final int partition = decoder.partition();
        final AckLevel ack = decoder.ackLevel();
        decoder.wrapTopic(topicView);
        decoder.wrapBatch(batchView);
        if (ErrorCode.NONE != batch.wrap(batchView, 0, batchView.capacity()).validate() || ack != AckLevel.JOURNAL)
        {
            throw new IllegalStateException("batch");
        }
        return batch.recordCount() + partition + (int)id + topicView.capacity();
    }
}
