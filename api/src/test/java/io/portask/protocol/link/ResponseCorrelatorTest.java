package io.portask.protocol.link;

import io.portask.protocol.sbe.ErrorResponseEncoder;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import io.portask.protocol.sbe.MessageHeaderEncoder;
import io.portask.protocol.sbe.PushRecordsEncoder;
import org.agrona.DirectBuffer;
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

    private void deliver(final UnsafeBuffer message)
    {
        correlator.onMessage(message, message.capacity());
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
        // the receiver reuses one buffer: a future's answer is a copy, not the receiver's bytes
        final UnsafeBuffer receiver = new UnsafeBuffer(new byte[256]);
        receive(receiver, written.get(1));
        receive(receiver, written.get(0));
        receiver.setMemory(0, receiver.capacity(), (byte)0);
        assertEquals(writtenIds.get(1), second.join().buffer().getLong(MessageHeaderEncoder.ENCODED_LENGTH));
        assertEquals(writtenIds.get(0), first.join().buffer().getLong(MessageHeaderEncoder.ENCODED_LENGTH));
        assertEquals(written.get(1).capacity(), second.join().buffer().capacity());
        assertTrue(unmatchedIds.isEmpty());
    }

    @Test
    void shouldHandAHandlerTheMessageInPlaceAndFailItOnce()
    {
        final List<String> told = new ArrayList<>();
        final UnsafeBuffer receiver = new UnsafeBuffer(new byte[256]);
        final ResponseCorrelator.ReplyHandler handler = new ResponseCorrelator.ReplyHandler()
        {
            public void onReply(final DirectBuffer message, final int length, final MessageHeaderDecoder header)
            {
                assertSame(receiver, message, "in place, not copied");
                told.add("reply " + message.getLong(MessageHeaderEncoder.ENCODED_LENGTH) + " of " + length);
            }

            public void onError(final Throwable error)
            {
                told.add("error " + error.getMessage());
            }
        };
        for (int i = 0; i < 300; i++)
        {
            correlator.send(Requests.health(), this::write, handler);
            receive(receiver, written.get(i));
        }
        assertEquals(300, told.size());
        assertEquals("reply 300 of " + written.get(299).capacity(), told.get(299));
        correlator.send(Requests.health(), this::write, handler);
        receive(receiver, error(writtenIds.get(300), 7, "slow"));
        assertEquals("error 7: slow", told.get(300));
        correlator.send(Requests.health(), (encoder, id) ->
        {
            throw new IllegalStateException("socket closed");
        }, handler);
        assertEquals("error socket closed", told.get(301));
        correlator.send(Requests.health(), this::write, handler);
        assertEquals(1, correlator.expire(System.nanoTime() + Duration.ofSeconds(1).toNanos()));
        assertTrue(told.get(302).startsWith("error no answer to request 303"), told.get(302));
        receive(receiver, written.get(written.size() - 1));
        assertEquals(303, told.size(), "told once");
        assertEquals(List.of(303L), unmatchedIds);
    }

    /** A receiver reusing its buffer: the message copied in, dispatched in place. */
    private void receive(final UnsafeBuffer receiver, final UnsafeBuffer message)
    {
        receiver.putBytes(0, message, 0, message.capacity());
        correlator.onMessage(receiver, message.capacity());
    }

    @Test
    void shouldFailWithTheLinksErrorAndHandOnWhatNoRequestWaitsFor()
    {
        final CompletableFuture<Reply> refused = correlator.send(Requests.deleteTopic("t"), this::write);
        deliver(error(writtenIds.get(0), 5, "unknown topic 't'"));
        final CompletionException failed = assertThrows(CompletionException.class, refused::join);
        assertEquals("5: unknown topic 't'", failed.getCause().getMessage());

        deliver(error(-7, 4, "subscription 7 fell behind"));
        assertEquals(List.of(-7L), unmatchedIds);
        assertEquals("4: subscription 7 fell behind", unmatchedErrors.get(0).getMessage());

        final UnsafeBuffer push = new UnsafeBuffer(new byte[256]);
        new PushRecordsEncoder().wrapAndApplyHeader(push, 0, new MessageHeaderEncoder()).subscriptionId(7);
        deliver(push);
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
        deliver(echo(written.get(written.size() - 1)));
        assertEquals(1, unmatchedIds.size(), "an answer after the failure reaches no request");
    }

    @Test
    void shouldExpireOnlyWhatIsPastItsTimeOut()
    {
        final long sentNs = System.nanoTime();
        final CompletableFuture<Reply> answered = correlator.send(Requests.health(), this::write);
        final CompletableFuture<Reply> late = correlator.send(Requests.listTopics(), this::write);
        final CompletableFuture<Reply> later = correlator.send(Requests.listTopics(), this::write);
        deliver(echo(written.get(0)));
        assertEquals(0, correlator.expire(sentNs), "nothing is due at once");
        assertEquals(2, correlator.expire(System.nanoTime() + Duration.ofSeconds(1).toNanos()));
        assertTrue(answered.isDone() && !answered.isCompletedExceptionally());
        assertInstanceOf(TimeoutException.class, assertThrows(CompletionException.class, late::join).getCause());
        assertInstanceOf(TimeoutException.class, assertThrows(CompletionException.class, later::join).getCause());
        deliver(echo(written.get(1)));
        assertEquals(1, unmatchedIds.size(), "an answer after the time-out reaches no request");
    }
}
