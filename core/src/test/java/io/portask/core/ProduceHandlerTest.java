package io.portask.core;

import io.portask.core.ring.RingMessages;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.ProduceRequestEncoder;
import io.portask.protocol.sbe.ProduceResponseDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The produce handler: offsets, counters and ack levels.
 */
class ProduceHandlerTest extends CoreAgentHarness
{
    @Test
    void shouldAssignOffsetsAndCountRecords()
    {
        produce(2, 1, AckLevel.JOURNAL, 3);
        produce(3, 1, AckLevel.JOURNAL, 2);
        final List<UnsafeBuffer> replies = responses();
        final ProduceResponseDecoder second =
            new ProduceResponseDecoder().wrapAndApplyHeader(replies.get(1), 0, header(replies.get(1)));
        assertEquals(3, second.correlationId());
        assertEquals(3, second.baseOffset());
        assertEquals(5, counter("records appended: t/1"));
        assertEquals(2, counter("requests: Produce"));
        assertEquals(1, counter("connections active"));
    }

    @Test
    void shouldTimeEveryAckIntoTheLatencyHistogram()
    {
        produce(2, 0, AckLevel.JOURNAL, 1);
        produce(3, 0, AckLevel.SYNC, 1);
        produce(4, 0, AckLevel.NONE, 1);
        assertEquals(2, responses().size());
        long acks = 0;
        for (final String bound : LatencyHistogram.BOUNDS)
        {
            acks += counter("produce ack latency le " + bound + " s");
        }
        assertEquals(2, acks, "one observation per answered ack, none for ack level NONE");
        assertEquals(2, counter("produce ack latency le 0.00001 s"), "the test clock stands still: 0 ns");

        final LatencyHistogram histogram = new LatencyHistogram(
            io.portask.protocol.CounterFactory.of(counters), 1, "direct");
        histogram.record(3_000_000);
        histogram.record(2_000_000_000L);
        assertEquals(1, counter("direct le 0.005 s"));
        assertEquals(1, counter("direct le +Inf s"));
        assertEquals(2_003_000, counter("direct sum us"));
        histogram.close();
    }

    @Test
    void shouldAnswerAckNoneWithNothingAndSyncAfterFlush()
    {
        produce(2, 0, AckLevel.NONE, 1);
        produce(3, 0, AckLevel.SYNC, 1);
        final List<UnsafeBuffer> replies = responses();
        assertEquals(1, replies.size());
        assertEquals(1, new ProduceResponseDecoder().wrapAndApplyHeader(replies.get(0), 0, header(replies.get(0)))
            .baseOffset());
    }

    @Test
    void shouldAnswerStorageErrorAndKeepTheLogWhenAnAppendFails()
    {
        store.failNextAppend = true;
        produce(2, 0, AckLevel.JOURNAL, 2);
        produce(3, 0, AckLevel.JOURNAL, 1);
        final List<UnsafeBuffer> replies = responses();
        assertEquals(ErrorCode.STORAGE_ERROR, errorOf(replies.get(0)));
        assertEquals(0, new ProduceResponseDecoder().wrapAndApplyHeader(replies.get(1), 0, header(replies.get(1)))
            .baseOffset());
        assertEquals(1, errors.size());
        errors.clear();
    }

    @Test
    void shouldGroupCommitSyncAcksWithOneFlushPerPartition()
    {
        produce(2, 0, AckLevel.SYNC, 1);
        produce(3, 0, AckLevel.SYNC, 1);
        produce(4, 1, AckLevel.SYNC, 1);
        assertEquals(3, responses().size());
        assertEquals(2, store.syncs);
    }

    @Test
    void shouldRefuseUnknownPartitionAndCorruptBatch()
    {
        produce(2, 7, AckLevel.JOURNAL, 1);
        final int length = batchOf(1);
        batch.putByte(length - 1, (byte)(batch.getByte(length - 1) ^ 0x5A));
        send(CONNECTION, (buffer, header) -> new ProduceRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(3).partition(0).ackLevel(AckLevel.JOURNAL).topic("t")
            .putBatch(batch, 0, length).encodedLength());
        final List<UnsafeBuffer> replies = responses();
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorOf(replies.get(0)));
        assertEquals(ErrorCode.CORRUPT_MESSAGE, errorOf(replies.get(1)));
    }
}
