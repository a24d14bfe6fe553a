package io.portask.ops;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reloadable idle strategy takes the requested kind at its next idle.
 */
class ReloadableIdleStrategyTest
{
    @Test
    void shouldSwitchToTheRequestedKindAtTheNextIdle()
    {
        final AtomicReference<IdleStrategyKind> requested = new AtomicReference<>(IdleStrategyKind.BACKOFF);
        final ReloadableIdleStrategy strategy = new ReloadableIdleStrategy(requested, 50_000);
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

    @Test
    void shouldParkBackoffNoLongerThanTheConfiguredMaximum()
    {
        assertTrue(IdleStrategyKind.BACKOFF.newInstance(20_000).toString().contains("maxParkPeriodNs=20000"));
        assertTrue(IdleStrategyKind.BACKOFF.newInstance().toString().contains("maxParkPeriodNs=1000000"));
        assertTrue(IdleStrategyKind.BACKOFF.newInstance(500).toString().contains("minParkPeriodNs=500,"));
    }
}
