package io.portask.gateway;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.function.LongSupplier;

/**
 * The gateway link's idling: for {@link #EAGER_NS} after a request went out it only yields, so a reply is read as
 * it lands (a park costs at least the kernel's 50 us timer slack); otherwise it backs off to parks of at most
 * {@code portask.gateway.link.max.park.us}, which bounds how late an unasked-for message (a push) is read.
 * <p>
 * Threading: the link thread only.
 */
final class LinkIdleStrategy implements IdleStrategy
{
    /** How long after a request the link stays eager. */
    static final long EAGER_NS = 1_000_000;

    private final LongSupplier lastSendNs;
    private final BackoffIdleStrategy backoff;

    LinkIdleStrategy(final LongSupplier lastSendNs, final long maxParkNs)
    {
        this.lastSendNs = lastSendNs;
        this.backoff = new BackoffIdleStrategy(100, 100, Math.min(1_000, maxParkNs), maxParkNs);
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
        if (System.nanoTime() - lastSendNs.getAsLong() < EAGER_NS)
        {
            backoff.reset();
            Thread.yield();
        }
        else
        {
            backoff.idle();
        }
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
