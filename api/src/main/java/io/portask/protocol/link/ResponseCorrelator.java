package io.portask.protocol.link;

import io.portask.protocol.Frame;
import io.portask.protocol.sbe.ErrorResponseDecoder;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import io.portask.protocol.sbe.PushRecordsDecoder;
import org.agrona.DirectBuffer;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The request side of a link to a broker, whatever carries it (the SDK's TCP connection, the gateway's Aeron IPC
 * link): correlation ids, the requests in flight, and the dispatch of what comes back. A response completes the
 * request with its correlation id; an ErrorResponse completes it exceptionally with the link's own exception; a
 * push, or a message no request waits for (an error closing a subscription, a heartbeat answer), goes to the
 * {@link Unmatched} handler. A request not answered within the time-out fails with a {@code TimeoutException}:
 * one periodic sweep per correlator on a shared daemon thread finds them (a quarter of the time-out, at most
 * 100 ms, late at worst), rather than a timer per request, which cost a scheduler insert, a cancel and wake-ups of
 * the JDK's delay scheduler on every request.
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

    private static final ScheduledExecutorService SWEEPER = Executors.newSingleThreadScheduledExecutor(runnable ->
    {
        final Thread thread = new Thread(runnable, "portask-request-timeouts");
        thread.setDaemon(true);
        return thread;
    });

    private record Pending(CompletableFuture<Reply> future, long deadlineNs)
    {
    }

    private final Map<Long, Pending> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong correlationIds = new AtomicLong();
    private final AtomicBoolean sweeping = new AtomicBoolean();
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
        inFlight.put(correlationId, new Pending(future, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs)));
        if (!sweeping.get())
        {
            startSweeping();
        }
        try
        {
            writer.write(encoder, correlationId);
        }
        catch (final RuntimeException ex)
        {
            inFlight.remove(correlationId);
            future.completeExceptionally(ex);
        }
        return future;
    }

    /**
     * Fail the requests whose time-out has passed.
     *
     * @param nowNs {@link System#nanoTime()} now.
     * @return how many failed.
     */
    public int expire(final long nowNs)
    {
        int expired = 0;
        for (final Map.Entry<Long, Pending> entry : inFlight.entrySet())
        {
            final Pending pending = entry.getValue();
            if (nowNs - pending.deadlineNs >= 0 && inFlight.remove(entry.getKey(), pending))
            {
                pending.future.completeExceptionally(new TimeoutException(
                    "no answer to request " + entry.getKey() + " within " + timeoutMs + " ms"));
                expired++;
            }
        }
        return expired;
    }

    /**
     * The periodic sweep, started with the first request; it holds the correlator weakly and stops once the
     * correlator is gone.
     */
    private void startSweeping()
    {
        if (!sweeping.compareAndSet(false, true))
        {
            return;
        }
        final WeakReference<ResponseCorrelator> owner = new WeakReference<>(this);
        final long periodMs = Math.max(1, Math.min(100, timeoutMs / 4));
        final AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        task.set(SWEEPER.scheduleWithFixedDelay(() ->
        {
            final ResponseCorrelator correlator = owner.get();
            if (null == correlator)
            {
                final ScheduledFuture<?> self = task.get();
                if (null != self)
                {
                    self.cancel(false);
                }
                return;
            }
            correlator.expire(System.nanoTime());
        }, periodMs, periodMs, TimeUnit.MILLISECONDS));
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
        final Pending pending = inFlight.remove(correlationId);
        if (null == pending)
        {
            unmatched.onUnmatched(correlationId, reply, error);
        }
        else if (null != error)
        {
            pending.future.completeExceptionally(error);
        }
        else
        {
            pending.future.complete(reply);
        }
    }

    /**
     * Fail every request in flight, as when the link breaks.
     *
     * @param error what they fail with.
     */
    public void failAll(final RuntimeException error)
    {
        for (final Long correlationId : inFlight.keySet())
        {
            final Pending pending = inFlight.remove(correlationId);
            if (null != pending)
            {
                pending.future.completeExceptionally(error);
            }
        }
    }
}
