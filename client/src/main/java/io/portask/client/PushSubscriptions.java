package io.portask.client;

import io.portask.protocol.ErrorCode;
import io.portask.protocol.RecordReader;
import io.portask.protocol.buffer.SafeBuffer;
import io.portask.protocol.link.Reply;
import io.portask.protocol.link.Requests;
import io.portask.protocol.sbe.PushRecordsDecoder;
import io.portask.protocol.sbe.SubscribeResponseDecoder;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

/**
 * A {@link Consumer}'s push subscriptions: subscribing, the queue the connection's reader thread fills with pushes
 * and errors (which poll drains, and waits on until it or a fetch answer wakes it), credit for what poll handed
 * out, and subscribing again after a reconnect from the next offset not yet returned.
 * <p>
 * Threading: the consumer's thread, except {@link Listener} (the connection's reader thread) and the resubscriber.
 */
final class PushSubscriptions
{
    private final int pushWindowBytes;
    private final Map<TopicPartition, PushState> pushed = new ConcurrentHashMap<>();
    private final Map<Long, PushState> pushedById = new ConcurrentHashMap<>();
    /** Pushes and errors, in arrival order; poll waits on it (or on a wake-up). */
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private volatile boolean woken;
    private volatile Thread waiter;
    private ClientConnection connection;

    PushSubscriptions(final int pushWindowBytes)
    {
        this.pushWindowBytes = pushWindowBytes;
    }

    /**
     * @param connection the consumer's connection, once made (it needs {@link #listener()} first).
     */
    void connection(final ClientConnection connection)
    {
        this.connection = connection;
    }

    ClientConnection.PushListener listener()
    {
        return new Listener();
    }

    void subscribe(final TopicPartition partition, final long fromOffset)
    {
        final PushState state = new PushState(partition, fromOffset);
        pushed.put(partition, state);
        start(state);
    }

    private void start(final PushState state)
    {
        final Reply response = Admin.await(connection.send(Requests.subscribe(
            state.partition.topic(), state.partition.partition(), state.position, pushWindowBytes)));
        final SubscribeResponseDecoder decoder =
            new SubscribeResponseDecoder().wrapAndApplyHeader(response.buffer(), 0, response.header());
        state.subscriptionId = decoder.subscriptionId();
        state.position = decoder.startOffset();
        pushedById.put(state.subscriptionId, state);
    }

    void unsubscribe(final TopicPartition partition)
    {
        final PushState state = pushed.remove(partition);
        if (null != state)
        {
            pushedById.remove(state.subscriptionId);
            Admin.await(connection.send(Requests.unsubscribe(state.subscriptionId)));
        }
    }

    /**
     * Wake a poll waiting in {@link #await} (a fetch answered, a push queued): a flag and an unpark, nothing
     * allocated.
     */
    void wakeUp()
    {
        woken = true;
        final Thread waiting = waiter;
        if (null != waiting)
        {
            LockSupport.unpark(waiting);
        }
    }

    private void enqueue(final Object item)
    {
        queue.add(item);
        wakeUp();
    }

    /**
     * Wait up to a slice of the time left for anything to arrive.
     */
    void await(final long remainingNs)
    {
        final long deadlineNs = System.nanoTime() + Math.min(remainingNs, TimeUnit.MILLISECONDS.toNanos(50));
        final ClientIdle idle = connection.spinningIdle();
        if (null != idle)
        {
            // read the socket on the polling thread: records and answers arrive with no wake-up
            int idleTries = 0;
            while (!woken && queue.isEmpty() && System.nanoTime() - deadlineNs < 0)
            {
                idleTries = connection.pollOnce() > 0 ? 0 : idleTries + 1;
                idle.idle(idleTries);
            }
        }
        else
        {
            waiter = Thread.currentThread();
            long leftNs;
            while (!woken && queue.isEmpty() && (leftNs = deadlineNs - System.nanoTime()) > 0 &&
                !Thread.currentThread().isInterrupted())
            {
                LockSupport.parkNanos(this, leftNs);
            }
            waiter = null;
        }
        woken = false;
    }

    /**
     * Decode every push that arrived, grant their credit back, and throw the first error.
     */
    void drain(final RecordReader reader, final Records.Sink records)
    {
        Object item;
        while (null != (item = queue.poll()))
        {
            if (item instanceof PortaskException error)
            {
                throw error;
            }
            final Push push = (Push)item;
            final PushState state = pushedById.get(push.subscriptionId);
            if (null == state)
            {
                continue;
            }
            state.position = Records.decode(reader, state.partition, push.buffer, 0, push.buffer.capacity(),
                state.position, records);
            grantCredit(state.subscriptionId, push.buffer.capacity());
        }
    }

    private void grantCredit(final long subscriptionId, final int bytes)
    {
        try
        {
            connection.sendOneWay(Requests.credit(subscriptionId, bytes));
        }
        catch (final PortaskException ex)
        {
            // the connection broke: the subscription is made again on reconnect
        }
    }

    /**
     * @param partition a partition.
     * @return its next offset when subscribed, else {@link Consumer#NOT_SUBSCRIBED}.
     */
    long position(final TopicPartition partition)
    {
        final PushState state = pushed.get(partition);
        return null == state ? Consumer.NOT_SUBSCRIBED : state.position;
    }

    /**
     * @param action receives each subscribed partition and its next offset.
     */
    void forEachPosition(final BiConsumer<TopicPartition, Long> action)
    {
        pushed.forEach((partition, state) -> action.accept(partition, state.position));
    }

    private void resubscribe()
    {
        for (final PushState state : pushed.values())
        {
            for (int attempt = 0; attempt < 50; attempt++)
            {
                try
                {
                    start(state);
                    break;
                }
                catch (final PortaskException ex)
                {
                    if (!ex.isRetriable() && ex.code() != ErrorCode.NETWORK_ERROR)
                    {
                        enqueue(ex);
                        break;
                    }
                    try
                    {
                        Thread.sleep(200);
                    }
                    catch (final InterruptedException interrupted)
                    {
                        return;
                    }
                }
            }
        }
    }

    private record Push(long subscriptionId, SafeBuffer buffer)
    {
    }

    private static final class PushState
    {
        final TopicPartition partition;
        volatile long position;
        volatile long subscriptionId;

        PushState(final TopicPartition partition, final long position)
        {
            this.partition = partition;
            this.position = position;
        }
    }

    /** Runs on the connection's reader thread. */
    private final class Listener implements ClientConnection.PushListener
    {
        public void onPush(final Reply push)
        {
            final PushRecordsDecoder decoder =
                new PushRecordsDecoder().wrapAndApplyHeader(push.buffer(), 0, push.header());
            final long subscriptionId = decoder.subscriptionId();
            final int length = decoder.batchesLength();
            final int at = decoder.limit() + PushRecordsDecoder.batchesHeaderLength();
            enqueue(new Push(subscriptionId, new SafeBuffer(push.buffer(), at, length)));
        }

        public void onUnmatchedError(final long correlationId, final PortaskException error)
        {
            if (correlationId < 0 && null != pushedById.remove(-correlationId))
            {
                enqueue(error);
            }
        }

        public void onDisconnected()
        {
            pushedById.clear();
            final Thread resubscriber = new Thread(PushSubscriptions.this::resubscribe,
                "portask-consumer-resubscribe");
            resubscriber.setDaemon(true);
            resubscriber.start();
        }
    }
}
