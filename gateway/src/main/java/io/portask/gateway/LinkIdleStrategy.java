package io.portask.gateway;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.locks.LockSupport;

/**
 * The gateway link's idling: for {@link #EAGER_NS} after a request went out it only yields, so a reply is read as
 * it lands (a park costs at least the kernel's 50 us timer slack); otherwise it backs off to parks of at most
 * {@code portask.gateway.link.max.park.us}, which bounds how late an unasked-for message (a push) is read.
 * <p>
 * A request sent while the link thread is parked unparks it ({@link #onSend()}), so the broker's answer does not
 * wait out the rest of the park: the link's wake-up overlaps the broker's work instead of following it. The two
 * sides meet Dekker-style on volatiles: the link announces it is parking, then looks at the last send once more;
 * a sender stamps its send, then looks for a parked link. One of them sees the other.
 * <p>
 * Threading: {@link #idle} on the link thread only; {@link #onSend()} from any thread.
 */
final class LinkIdleStrategy implements IdleStrategy
{
    /** How long after a request the link stays eager. */
    static final long EAGER_NS = 1_000_000;

    private final BackoffIdleStrategy backoff;
    private volatile long lastSendNs = System.nanoTime() - EAGER_NS;
    private volatile Thread parked;

    LinkIdleStrategy(final long maxParkNs)
    {
        this(Math.min(1_000, maxParkNs), maxParkNs);
    }

    LinkIdleStrategy(final long minParkNs, final long maxParkNs)
    {
        this.backoff = new BackoffIdleStrategy(100, 100, minParkNs, maxParkNs);
    }

    /**
     * A request went out: stay eager for a while, and wake the link thread if it is parked.
     */
    void onSend()
    {
        lastSendNs = System.nanoTime();
        final Thread sleeper = parked;
        if (null != sleeper)
        {
            LockSupport.unpark(sleeper);
        }
    }

    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    public void idle()
    {
        if (isEager())
        {
            backoff.reset();
            Thread.yield();
            return;
        }
        parked = Thread.currentThread();
        if (isEager()) // a send between the first look and the announcement would not have unparked us
        {
            parked = null;
            backoff.reset();
            return;
        }
        backoff.idle();
        parked = null;
    }

    private boolean isEager()
    {
        return System.nanoTime() - lastSendNs < EAGER_NS;
    }

    public void reset()
    {
        backoff.reset();
    }

    public String alias()
    {
        return "link";
    }
}
