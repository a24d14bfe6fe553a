package io.portask.core;

import io.portask.core.ring.RingMessages;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.CreditRequestEncoder;
import io.portask.protocol.sbe.PushRecordsDecoder;
import io.portask.protocol.sbe.SubscribeRequestEncoder;
import io.portask.protocol.sbe.SubscribeResponseDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The subscription handler: pushes within credit, dropped with the connection.
 */
class SubscriptionHandlerTest extends CoreAgentHarness
{
    @Test
    void shouldPushOnlyWhileSubscriptionHasCredit()
    {
        send(CONNECTION, (buffer, header) -> new SubscribeRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(8).partition(0).startOffset(-1).creditBytes(1).topic("t").encodedLength());
        final UnsafeBuffer subscribed = responses().get(0);
        final long subscriptionId = new SubscribeResponseDecoder()
            .wrapAndApplyHeader(subscribed, 0, header(subscribed)).subscriptionId();
        produce(9, 0, AckLevel.JOURNAL, 1);
        produce(10, 0, AckLevel.JOURNAL, 1);
        final List<UnsafeBuffer> first = responses();
        assertEquals(3, first.size(), "two acks and one push: credit 1 byte buys one batch");
        assertEquals(PushRecordsDecoder.TEMPLATE_ID, header(first.get(2)).templateId());
        assertTrue(responses().isEmpty());

        send(CONNECTION, (buffer, header) -> new CreditRequestEncoder()
            .wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(11).subscriptionId(subscriptionId).creditBytes(1 << 20).encodedLength());
        final List<UnsafeBuffer> second = responses();
        assertEquals(1, second.size());
        final PushRecordsDecoder push =
            new PushRecordsDecoder().wrapAndApplyHeader(second.get(0), 0, header(second.get(0)));
        assertEquals(subscriptionId, push.subscriptionId());
        assertEquals(2, push.highWatermark());
        assertEquals(1, counter("subscriptions"));
        notice(RingMessages.CONNECTION_CLOSED, CONNECTION);
        responses();
        assertEquals(0, counter("subscriptions"));
    }

}
