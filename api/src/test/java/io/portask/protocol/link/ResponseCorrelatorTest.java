package io.portask.protocol.link;

import io.portask.protocol.sbe.ErrorResponseEncoder;
import io.portask.protocol.sbe.MessageHeaderEncoder;
import io.portask.protocol.sbe.PushRecordsEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResponseCorrelatorTest
{
    private final List<Reply> pushes = new ArrayList<>();
    private final List<RuntimeException> unmatchedErrors = new ArrayList<>();
    private final List<Long> unmatchedIds = new ArrayList<>();
    private final ResponseCorrelator correlator = new ResponseCorrelator(Duration.ofMillis(200),
        (code, message) -> new IllegalStateException(code + ": " + message), new ResponseCorrelator.Unmatched()
        {
            public void onPush(final Reply push)
            {
                pushes.add(push);
            }

            public void onUnmatched(final long correlationId, final Reply reply, final RuntimeException error)
            {
                unmatchedIds.add(correlationId);
                unmatchedErrors.add(error);
            }
        });
    private final List<UnsafeBuffer> written = new ArrayList<>();
    private final List<Long> writtenIds = new ArrayList<>();

    private void write(final RequestEncoder encoder, final long correlationId)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final int length = encoder.encode(buffer, 0, correlationId);
        written.add(new UnsafeBuffer(buffer, 0, length));
        writtenIds.add(correlationId);
    }

    /** The broker's answer to a request: the request echoed back is a message with the same correlation id. */
    private static UnsafeBuffer echo(final UnsafeBuffer request)
    {
        final byte[] copy = new byte[request.capacity()];
        request.getBytes(0, copy);
        return new UnsafeBuffer(copy);
    }

    private static UnsafeBuffer error(final long correlationId, final int code, final String message)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final int length = new ErrorResponseEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(correlationId).errorCode(code).message(message).encodedLength() +
            MessageHeaderEncoder.ENCODED_LENGTH;
        return new UnsafeBuffer(buffer, 0, length);
    }

    @Test
    void shouldMatchAnswersToRequestsInAnyOrder()
    {
        final CompletableFuture<Reply> first = correlator.send(Requests.health(), this::write);
        final CompletableFuture<Reply> second = correlator.send(Requests.listTopics(), this::write);
        final UnsafeBuffer secondAnswer = echo(written.get(1));
        correlator.onMessage(secondAnswer);
        correlator.onMessage(echo(written.get(0)));
        assertSame(secondAnswer, second.join().buffer());
        assertEquals(written.get(0).getLong(MessageHeaderEncoder.ENCODED_LENGTH),
            first.join().buffer().getLong(MessageHeaderEncoder.ENCODED_LENGTH));
        assertTrue(unmatchedIds.isEmpty());
    }

    @Test
    void shouldFailWithTheLinksErrorAndHandOnWhatNoRequestWaitsFor()
    {
        final CompletableFuture<Reply> refused = correlator.send(Requests.deleteTopic("t"), this::write);
        correlator.onMessage(error(writtenIds.get(0), 5, "unknown topic 't'"));
        final CompletionException failed = assertThrows(CompletionException.class, refused::join);
        assertEquals("5: unknown topic 't'", failed.getCause().getMessage());

        correlator.onMessage(error(-7, 4, "subscription 7 fell behind"));
        assertEquals(List.of(-7L), unmatchedIds);
        assertEquals("4: subscription 7 fell behind", unmatchedErrors.get(0).getMessage());

        final UnsafeBuffer push = new UnsafeBuffer(new byte[256]);
        new PushRecordsEncoder().wrapAndApplyHeader(push, 0, new MessageHeaderEncoder()).subscriptionId(7);
        correlator.onMessage(push);
        assertEquals(1, pushes.size());
    }

    @Test
    void shouldFailAWriteThatThrowsATimeOutAndEverythingOnFailAll()
    {
        final IllegalStateException broken = new IllegalStateException("socket closed");
        final CompletableFuture<Reply> unsent = correlator.send(Requests.health(), (encoder, id) ->
        {
            throw broken;
        });
        assertSame(broken, assertThrows(CompletionException.class, unsent::join).getCause());

        final CompletableFuture<Reply> unanswered = correlator.send(Requests.health(), this::write);
        assertInstanceOf(TimeoutException.class, assertThrows(CompletionException.class, unanswered::join).getCause());

        final CompletableFuture<Reply> inFlight = correlator.send(Requests.health(), this::write);
        correlator.failAll(broken);
        assertSame(broken, assertThrows(CompletionException.class, inFlight::join).getCause());
        correlator.onMessage(echo(written.get(written.size() - 1)));
        assertEquals(1, unmatchedIds.size(), "an answer after the failure reaches no request");
    }

    @Test
    void shouldExpireOnlyWhatIsPastItsTimeOut()
    {
        final long sentNs = System.nanoTime();
        final CompletableFuture<Reply> answered = correlator.send(Requests.health(), this::write);
        final CompletableFuture<Reply> late = correlator.send(Requests.listTopics(), this::write);
        final CompletableFuture<Reply> later = correlator.send(Requests.listTopics(), this::write);
        correlator.onMessage(echo(written.get(0)));
        assertEquals(0, correlator.expire(sentNs), "nothing is due at once");
        assertEquals(2, correlator.expire(System.nanoTime() + Duration.ofSeconds(1).toNanos()));
        assertTrue(answered.isDone() && !answered.isCompletedExceptionally());
        assertInstanceOf(TimeoutException.class, assertThrows(CompletionException.class, late::join).getCause());
        assertInstanceOf(TimeoutException.class, assertThrows(CompletionException.class, later::join).getCause());
        correlator.onMessage(echo(written.get(1)));
        assertEquals(1, unmatchedIds.size(), "an answer after the time-out reaches no request");
    }
}
