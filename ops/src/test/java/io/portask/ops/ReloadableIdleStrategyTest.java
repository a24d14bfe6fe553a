package io.portask.ops;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The reloadable idle strategy takes the requested kind at its next idle.
 */
class ReloadableIdleStrategyTest
{
    @Test
    void shouldSwitchToTheRequestedKindAtTheNextIdle()
    {
        final AtomicReference<IdleStrategyKind> requested = new AtomicReference<>(IdleStrategyKind.BACKOFF);
        final ReloadableIdleStrategy strategy = new ReloadableIdleStrategy(requested);
        strategy.idle(0);
        assertEquals("backoff", strategy.alias());

        requested.set(IdleStrategyKind.NOOP);
        assertEquals("backoff", strategy.alias(), "not before its owner idles");
        strategy.idle(0);
        assertEquals("noop", strategy.alias());
        strategy.reset();
        requested.set(IdleStrategyKind.YIELDING);
        strategy.idle();
        assertEquals("yielding", strategy.alias());
    }
}
