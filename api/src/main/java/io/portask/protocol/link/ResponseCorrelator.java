package io.portask.protocol.link;

import io.portask.protocol.Frame;
import io.portask.protocol.buffer.SafeBuffer;
import io.portask.protocol.sbe.ErrorResponseDecoder;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import io.portask.protocol.sbe.PushRecordsDecoder;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
 * Two ways to be answered: a future, completed with a copy of the message; or a {@link ReplyHandler}, called on
 * the receiving thread with the message in place (the receiver's buffer, valid during the call) — nothing is
 * allocated for such a request: its entry comes from a pool and the map of requests in flight holds primitive keys.
 * <p>
 * Threading: {@link #send} from any thread; {@link #onMessage} from one receiving thread at a time.
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

    /**
     * Told of one request's answer on the receiving thread. The message is the receiver's buffer, valid only
     * during the call: decode it or copy what is kept.
     */
    public interface ReplyHandler
    {
        /**
         * @param message the SBE message, header included, from offset 0.
         * @param length  its length.
         * @param header  decoder positioned on its header.
         */
        void onReply(DirectBuffer message, int length, MessageHeaderDecoder header);

        /**
         * @param error an ErrorResponse's exception, a {@link TimeoutException}, or the link's failure.
         */
        void onError(Throwable error);
    }

    /** A request in flight: a pooled entry with its waiter, a future or a {@link ReplyHandler}. */
    private static final class Pending
    {
        Object waiter;
        long deadlineNs;
    }

    /** Entries kept for reuse. */
    private static final int SPARE_PENDING = 256;

    private final Long2ObjectHashMap<Pending> inFlight = new Long2ObjectHashMap<>();
    private final ArrayDeque<Pending> spare = new ArrayDeque<>();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final ErrorResponseDecoder errorDecoder = new ErrorResponseDecoder();
    private final AtomicLong correlationIds = new AtomicLong();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private final long timeoutMs;
    private final long timeoutNs;
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
        this.timeoutNs = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
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
        final CompletableFuture<Reply> future = new CompletableFuture<>();
        write(encoder, writer, future);
        return future;
    }

    /**
     * Send a request whose answer goes to a handler on the receiving thread, in place: nothing allocated.
     *
     * @param encoder writes the request.
     * @param writer  puts it on the wire.
     * @param handler told of the answer or the failure, once (a failed write: on this thread, at once).
     */
    public void send(final RequestEncoder encoder, final Writer writer, final ReplyHandler handler)
    {
        write(encoder, writer, handler);
    }

    /** Register the request's waiter (a future or a handler), then write it; a failed write fails it at once. */
    private void write(final RequestEncoder encoder, final Writer writer, final Object waiter)
    {
        final long correlationId = register(waiter);
        try
        {
            writer.write(encoder, correlationId);
        }
        catch (final RuntimeException ex)
        {
            if (null != take(correlationId))
            {
                fail(waiter, ex);
            }
        }
    }

    private long register(final Object waiter)
    {
        final long correlationId = nextCorrelationId();
        synchronized (inFlight)
        {
            final Pending pending = spare.isEmpty() ? new Pending() : spare.pollFirst();
            pending.waiter = waiter;
            pending.deadlineNs = System.nanoTime() + timeoutNs;
            inFlight.put(correlationId, pending);
        }
        if (!sweeping.get())
        {
            startSweeping();
        }
        return correlationId;
    }

    /**
     * Remove a request from those in flight and recycle its entry.
     *
     * @return its waiter (a future or a handler), or null when it was not in flight.
     */
    private Object take(final long correlationId)
    {
        synchronized (inFlight)
        {
            final Pending pending = inFlight.remove(correlationId);
            return null == pending ? null : recycle(pending);
        }
    }

    /** Under the lock: the entry's waiter, the entry back in the pool. */
    private Object recycle(final Pending pending)
    {
        final Object waiter = pending.waiter;
        pending.waiter = null;
        if (spare.size() < SPARE_PENDING)
        {
            spare.addLast(pending);
        }
        return waiter;
    }

    @SuppressWarnings("unchecked")
    private static void fail(final Object waiter, final Throwable error)
    {
        if (waiter instanceof ReplyHandler handler)
        {
            handler.onError(error);
        }
        else
        {
            ((CompletableFuture<Reply>)waiter).completeExceptionally(error);
        }
    }

    /**
     * Fail the requests whose time-out has passed.
     *
     * @param nowNs {@link System#nanoTime()} now.
     * @return how many failed.
     */
    public int expire(final long nowNs)
    {
        List<Object> waiters = null;
        List<Long> ids = null;
        synchronized (inFlight)
        {
            final Long2ObjectHashMap<Pending>.EntryIterator entries = inFlight.entrySet().iterator();
            while (entries.hasNext())
            {
                entries.next();
                final Pending pending = entries.getValue();
                if (nowNs - pending.deadlineNs >= 0)
                {
                    if (null == waiters)
                    {
                        waiters = new ArrayList<>();
                        ids = new ArrayList<>();
                    }
                    ids.add(entries.getLongKey());
                    entries.remove();
                    waiters.add(recycle(pending));
                }
            }
        }
        if (null == waiters)
        {
            return 0;
        }
        for (int i = 0; i < waiters.size(); i++)
        {
            fail(waiters.get(i), new TimeoutException(
                "no answer to request " + ids.get(i) + " within " + timeoutMs + " ms"));
        }
        return waiters.size();
    }

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
     * Dispatch one message from the broker: to its handler in place, or copied to its future, to the pushes or to
     * the unmatched messages (those keep their copy).
     *
     * @param message the SBE message at offset 0, the receiver's: valid during the call only.
     * @param length  its length.
     */
    public void onMessage(final DirectBuffer message, final int length)
    {
        header.wrap(message, 0);
        final int templateId = header.templateId();
        if (PushRecordsDecoder.TEMPLATE_ID == templateId)
        {
            unmatched.onPush(copyOf(message, length));
            return;
        }
        final long correlationId = message.getLong(MessageHeaderDecoder.ENCODED_LENGTH, Frame.BYTE_ORDER);
        RuntimeException error = null;
        if (ErrorResponseDecoder.TEMPLATE_ID == templateId)
        {
            errorDecoder.wrapAndApplyHeader(message, 0, header);
            final int code = errorDecoder.errorCode();
            error = errors.onError(code, errorDecoder.message());
        }
        final Object waiter = take(correlationId);
        if (null == waiter)
        {
            unmatched.onUnmatched(correlationId, copyOf(message, length), error);
        }
        else if (null != error)
        {
            fail(waiter, error);
        }
        else if (waiter instanceof ReplyHandler handler)
        {
            handler.onReply(message, length, header);
        }
        else
        {
            complete(waiter, copyOf(message, length));
        }
    }

    @SuppressWarnings("unchecked")
    private static void complete(final Object future, final Reply reply)
    {
        ((CompletableFuture<Reply>)future).complete(reply);
    }

    private static Reply copyOf(final DirectBuffer message, final int length)
    {
        final byte[] bytes = new byte[length];
        message.getBytes(0, bytes);
        final SafeBuffer copy = new SafeBuffer(bytes);
        return new Reply(copy, new MessageHeaderDecoder().wrap(copy, 0));
    }

    /**
     * Fail every request in flight, as when the link breaks.
     *
     * @param error what they fail with.
     */
    public void failAll(final RuntimeException error)
    {
        final List<Object> waiters = new ArrayList<>();
        synchronized (inFlight)
        {
            final Long2ObjectHashMap<Pending>.ValueIterator pending = inFlight.values().iterator();
            while (pending.hasNext())
            {
                waiters.add(recycle(pending.next()));
            }
            inFlight.clear();
        }
        waiters.forEach(waiter -> fail(waiter, error));
    }
}
