package io.portask.core;

import io.portask.core.ring.RingMessages;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.RecordBatchWriter;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.InitProducerRequestEncoder;
import io.portask.protocol.sbe.InitProducerResponseDecoder;
import io.portask.protocol.sbe.ProduceRequestEncoder;
import io.portask.protocol.sbe.ProduceResponseDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Idempotent produce in the core: InitProducer hands out distinct ids; a batch sent again (same producer, epoch and
 * sequences) is answered with the offset it was stored at and not stored twice; a gap gets OUT_OF_ORDER_SEQUENCE
 * and an older epoch PRODUCER_FENCED, neither storing anything; other producers and plain batches are unaffected;
 * sequences wrap after Integer.MAX_VALUE.
 */
class IdempotentProduceTest extends CoreAgentHarness
{
    @Test
    void shouldHandOutDistinctProducerIds()
    {
        initProducer(2);
        initProducer(3);
        final List<UnsafeBuffer> replies = responses();
        final long first = new InitProducerResponseDecoder().wrapAndApplyHeader(replies.get(0), 0,
            header(replies.get(0))).producerId();
        final long second = new InitProducerResponseDecoder().wrapAndApplyHeader(replies.get(1), 0,
            header(replies.get(1))).producerId();
        assertTrue(first > 0 && second > first, first + ", " + second);
    }

    @Test
    void shouldAnswerABatchSentAgainWithItsOffsetAndStoreItOnce()
    {
        produceAs(2, 7, (short)0, 0, 3);
        produceAs(3, 7, (short)0, 3, 2);
        produceAs(4, 7, (short)0, 0, 3);
        produceAs(5, 7, (short)0, 3, 2);
        produceAs(6, 8, (short)0, 0, 1);
        produce(7, 0, AckLevel.JOURNAL, 1);
        final List<UnsafeBuffer> replies = responses();
        assertEquals(List.of(0L, 3L, 0L, 3L, 5L, 6L), replies.stream().map(IdempotentProduceTest::baseOffset).toList());
        assertEquals(7, counter("records appended: t/0"), "3 + 2 + 1 + 1, the two resent batches not again");
        assertEquals(2, counter("duplicate batches"));
    }

    @Test
    void shouldRefuseGapsReorderingAndOlderEpochsWithoutStoring()
    {
        produceAs(2, 7, (short)1, 0, 3);
        produceAs(3, 7, (short)1, 5, 1);
        produceAs(4, 7, (short)0, 3, 1);
        produceAs(5, 7, (short)1, 3, 1);
        produceAs(6, 7, (short)2, 0, 1);
        produceAs(7, 7, (short)1, 4, 1);
        final List<UnsafeBuffer> replies = responses();
        assertEquals(0, baseOffset(replies.get(0)));
        assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE, errorOf(replies.get(1)), "a gap");
        assertEquals(ErrorCode.PRODUCER_FENCED, errorOf(replies.get(2)), "an older epoch");
        assertEquals(3, baseOffset(replies.get(3)));
        assertEquals(4, baseOffset(replies.get(4)), "a newer epoch starts over");
        assertEquals(ErrorCode.PRODUCER_FENCED, errorOf(replies.get(5)), "the old epoch is fenced now");
        assertEquals(5, counter("records appended: t/0"));
    }

    @Test
    void shouldWrapSequencesAfterIntegerMax()
    {
        produceAs(2, 9, (short)0, Integer.MAX_VALUE - 1, 2);
        produceAs(3, 9, (short)0, 0, 1);
        produceAs(4, 9, (short)0, Integer.MAX_VALUE - 1, 2);
        final List<UnsafeBuffer> replies = responses();
        assertEquals(List.of(0L, 2L, 0L), replies.stream().map(IdempotentProduceTest::baseOffset).toList());
    }

    private void initProducer(final long correlationId)
    {
        send(CONNECTION, (buffer, header) -> new InitProducerRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header).correlationId(correlationId)
            .encodedLength());
    }

    private void produceAs(
        final long correlationId, final long producerId, final short epoch, final int baseSequence, final int records)
    {
        final RecordBatchWriter writer = new RecordBatchWriter().reset(batch, 0, batch.capacity(), true);
        for (int i = 0; i < records; i++)
        {
            writer.append(1_000 + i, null, new byte[]{ (byte)i });
        }
        final int length = writer.seal(producerId, epoch, baseSequence);
        send(CONNECTION, (buffer, header) -> new ProduceRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(correlationId).partition(0).ackLevel(AckLevel.JOURNAL).topic("t")
            .putBatch(batch, 0, length).encodedLength());
    }

    private static long baseOffset(final UnsafeBuffer reply)
    {
        return new ProduceResponseDecoder().wrapAndApplyHeader(reply, 0, header(reply)).baseOffset();
    }
}
