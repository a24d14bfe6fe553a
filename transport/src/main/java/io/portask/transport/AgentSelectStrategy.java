package io.portask.transport;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.IdleStrategy;

/**
 * Makes a Netty event loop the runner of Agrona agents. Netty asks this strategy what to do on every turn of
 * its loop; we run the agents' duty cycle, poll epoll without blocking, and apply the idle strategy only when
 * neither found work. Returning the count of ready events (0 included) makes Netty process them and its tasks
 * and come straight back: a busy-spin idle strategy gives a busy-polling transport.
 * <p>
 * With an {@link IdleSleep}, a loop that has found no work for {@link #IDLES_BEFORE_SLEEP} turns (the backoff
 * strategy's spins, yields and first parks) sleeps in epoll_wait instead of parking, until a socket is ready, a task
 * is queued, the doorbell rings or the tick comes. Before it sleeps it sets the asleep counter and runs the duty
 * cycle once more: a gateway offers its request and then reads the counter, so either the gateway sees 1 and
 * rings, or this sees the request (both sides fence between their write and their read).
 * <p>
 * Threading: called by the event loop thread only.
 */
final class AgentSelectStrategy implements SelectStrategy
{
    /**
     * Idle turns before sleeping: the 10 spins and 20 yields of the broker's backoff strategy, then 8 of its parks
     * (1 to 128 us asked, some 0.5 ms in all with the kernel's timer slack). Sleeping at once was slower where a
     * request follows the last answer within a few hundred microseconds: waking a halted virtual CPU for the socket
     * cost more than the parks' polling (a paced 10,000/s run fell behind on this 2-core VM).
     */
    static final int IDLES_BEFORE_SLEEP = 38;

    private final AgentInvoker invoker;
    private final IdleStrategy idleStrategy;
    private final IdleSleep sleep;
    private int idles;
    private boolean asleep;

    AgentSelectStrategy(final AgentInvoker invoker, final IdleStrategy idleStrategy, final IdleSleep sleep)
    {
        this.invoker = invoker;
        this.idleStrategy = idleStrategy;
        this.sleep = sleep;
    }

    /**
     * {@inheritDoc}
     */
    public int calculateStrategy(final IntSupplier selectSupplier, final boolean hasTasks) throws Exception
    {
        if (!invoker.isStarted())
        {
            invoker.start();
        }
        if (asleep)
        {
            asleep = false;
            sleep.asleep().setRelease(0);
        }
        final int workCount = invoker.isClosed() ? 0 : invoker.invoke();
        final int ready = selectSupplier.get();
        if (0 == workCount && ready <= 0 && !hasTasks)
        {
            if (null != sleep && ++idles > IDLES_BEFORE_SLEEP && sleep.allowed().getAsBoolean())
            {
                return sleepUnlessWork();
            }
            idleStrategy.idle();
        }
        else
        {
            idles = 0;
            idleStrategy.reset();
        }
        return Math.max(0, ready);
    }

    private int sleepUnlessWork()
    {
        asleep = true;
        sleep.asleep().set(1); // a volatile store: ordered before the duty cycle's reads below
        if (!invoker.isClosed() && invoker.invoke() > 0)
        {
            idles = 0;
            return 0;
        }
        return SelectStrategy.SELECT;
    }
}
