package io.portask.core;

import io.portask.core.ring.RingMessages;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.FetchResponseDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fetch handler: answered at once, or parked at the head until records or the deadline.
 */
class FetchHandlerTest extends CoreAgentHarness
{
    @Test
    void shouldParkFetchAtHeadUntilRecordsOrDeadline()
    {
        fetch(5, 0, 1_000);
        assertTrue(responses().isEmpty());
        clock.advance(TimeUnit.MILLISECONDS.toNanos(999));
        assertTrue(responses().isEmpty());
        clock.advance(TimeUnit.MILLISECONDS.toNanos(1));
        final UnsafeBuffer empty = responses().get(0);
        final FetchResponseDecoder decoder = new FetchResponseDecoder().wrapAndApplyHeader(empty, 0, header(empty));
        assertEquals(5, decoder.correlationId());
        assertEquals(0, decoder.batchesLength());

        fetch(6, 0, 10_000);
        assertTrue(responses().isEmpty());
        produce(7, 0, AckLevel.JOURNAL, 2);
        final List<UnsafeBuffer> replies = responses();
        assertEquals(2, replies.size());
        final UnsafeBuffer filled = replies.get(1);
        final FetchResponseDecoder answered = new FetchResponseDecoder().wrapAndApplyHeader(filled, 0, header(filled));
        assertEquals(6, answered.correlationId());
        assertEquals(2, answered.highWatermark());
        assertTrue(answered.batchesLength() > 0);
    }

    @Test
    void shouldDropParkedFetchesOfClosedConnection()
    {
        fetch(5, 0, 1_000);
        responses();
        notice(RingMessages.CONNECTION_CLOSED, CONNECTION);
        clock.advance(TimeUnit.SECONDS.toNanos(2));
        assertTrue(responses().isEmpty());
    }

}
