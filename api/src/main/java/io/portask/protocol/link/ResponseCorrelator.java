package io.portask.protocol.link;

import io.portask.protocol.Frame;
import io.portask.protocol.sbe.ErrorResponseDecoder;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import io.portask.protocol.sbe.PushRecordsDecoder;
import org.agrona.DirectBuffer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The request side of a link to a broker, whatever carries it (the SDK's TCP connection, the gateway's Aeron IPC
 * link): correlation ids, the requests in flight, and the dispatch of what comes back. A response completes the
 * request with its correlation id; an ErrorResponse completes it exceptionally with the link's own exception; a
 * push, or a message no request waits for (an error closing a subscription, a heartbeat answer), goes to the
 * {@link Unmatched} handler. A request not answered within the time-out fails with a {@code TimeoutException}.
 * <p>
 * Threading: {@link #send} from any thread; {@link #onMessage} from the one receiving thread.
 */
public final class ResponseCorrelator
{
    /** Puts a request on the wire; throws (a link-specific RuntimeException) when it cannot. */
    @FunctionalInterface
    public interface Writer
    {
        /**
         * @param encoder       writes the request.
         * @param correlationId to give it.
         */
        void write(RequestEncoder encoder, long correlationId);
    }

    /** Makes the exception an ErrorResponse fails its request with. */
    @FunctionalInterface
    public interface ErrorFactory
    {
        /**
         * @param code    the numeric error code.
         * @param message the broker's message.
         * @return the exception.
         */
        RuntimeException onError(int code, String message);
    }

    /** Messages no request waits for, on the receiving thread. */
    public interface Unmatched
    {
        /**
         * @param push a PushRecords message.
         */
        void onPush(Reply push);

        /**
         * @param correlationId of the message (negative: a subscription's, or the link's own heartbeat).
         * @param reply         the message.
         * @param error         the error it carries, when it is an ErrorResponse; else null.
         */
        void onUnmatched(long correlationId, Reply reply, RuntimeException error);
    }

    private final Map<Long, CompletableFuture<Reply>> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong correlationIds = new AtomicLong();
    private final long timeoutMs;
    private final ErrorFactory errors;
    private final Unmatched unmatched;

    /**
     * @param timeout   how long a request may wait for its response.
     * @param errors    makes the exception of an ErrorResponse.
     * @param unmatched receives pushes and messages no request waits for.
     */
    public ResponseCorrelator(final Duration timeout, final ErrorFactory errors, final Unmatched unmatched)
    {
        this.timeoutMs = timeout.toMillis();
        this.errors = errors;
        this.unmatched = unmatched;
    }

    /**
     * @return the next correlation id: positive, unique on this link.
     */
    public long nextCorrelationId()
    {
        return correlationIds.incrementAndGet();
    }

    /**
     * Send a request that gets a response.
     *
     * @param encoder writes the request.
     * @param writer  puts it on the wire.
     * @return completes with the response, or exceptionally (the writer's exception, the error factory's, or a
     * time-out).
     */
    public CompletableFuture<Reply> send(final RequestEncoder encoder, final Writer writer)
    {
        final long correlationId = nextCorrelationId();
        final CompletableFuture<Reply> future = new CompletableFuture<>();
        inFlight.put(correlationId, future);
        try
        {
            writer.write(encoder, correlationId);
        }
        catch (final RuntimeException ex)
        {
            inFlight.remove(correlationId);
            future.completeExceptionally(ex);
            return future;
        }
        future.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).whenComplete((reply, error) ->
            inFlight.remove(correlationId));
        return future;
    }

    /**
     * Dispatch one message from the broker.
     *
     * @param message the SBE message at offset 0, owned by the callee from now on.
     */
    public void onMessage(final DirectBuffer message)
    {
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(message, 0);
        final Reply reply = new Reply(message, header);
        if (PushRecordsDecoder.TEMPLATE_ID == header.templateId())
        {
            unmatched.onPush(reply);
            return;
        }
        final long correlationId = message.getLong(MessageHeaderDecoder.ENCODED_LENGTH, Frame.BYTE_ORDER);
        RuntimeException error = null;
        if (ErrorResponseDecoder.TEMPLATE_ID == header.templateId())
        {
            final ErrorResponseDecoder decoder = new ErrorResponseDecoder().wrapAndApplyHeader(message, 0, header);
            final int code = decoder.errorCode();
            error = errors.onError(code, decoder.message());
        }
        final CompletableFuture<Reply> future = inFlight.remove(correlationId);
        if (null == future)
        {
            unmatched.onUnmatched(correlationId, reply, error);
        }
        else if (null != error)
        {
            future.completeExceptionally(error);
        }
        else
        {
            future.complete(reply);
        }
    }

    /**
     * Fail every request in flight, as when the link breaks.
     *
     * @param error what they fail with.
     */
    public void failAll(final RuntimeException error)
    {
        inFlight.values().forEach(future -> future.completeExceptionally(error));
        inFlight.clear();
    }
}
