package io.portask.ops;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.atomic.AtomicReference;

/**
 * An idle strategy an operator may change while the broker runs (a configuration reload): the owning thread checks
 * the requested kind at each idle and, when it changed, starts using a fresh instance of the new kind. Costs one
 * acquire load per idle; allocates only on a change.
 * <p>
 * Threading: the owning thread only; the requested kind is set by any.
 */
final class ReloadableIdleStrategy implements IdleStrategy
{
    private final AtomicReference<IdleStrategyKind> requested;
    private IdleStrategyKind kind;
    private IdleStrategy delegate;
    private final long maxParkNs;

    ReloadableIdleStrategy(final AtomicReference<IdleStrategyKind> requested, final long maxParkNs)
    {
        this.requested = requested;
        this.maxParkNs = maxParkNs;
        this.kind = requested.get();
        this.delegate = kind.newInstance(maxParkNs);
    }

    public void idle(final int workCount)
    {
        check();
        delegate.idle(workCount);
    }

    public void idle()
    {
        check();
        delegate.idle();
    }

    public void reset()
    {
        delegate.reset();
    }

    public String alias()
    {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    private void check()
    {
        final IdleStrategyKind latest = requested.getAcquire();
        if (latest != kind)
        {
            kind = latest;
            delegate = latest.newInstance(maxParkNs);
        }
    }
}
