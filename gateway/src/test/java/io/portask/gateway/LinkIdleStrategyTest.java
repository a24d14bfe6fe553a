package io.portask.gateway;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The link thread's idling: a request sent while it is parked ends the park, so the broker's answer is read when
 * it lands rather than when the park runs out.
 */
class LinkIdleStrategyTest
{
    private static final long MINUTE_NS = TimeUnit.MINUTES.toNanos(1);

    @Test
    void shouldEndAParkWhenARequestGoesOut() throws Exception
    {
        final LinkIdleStrategy idle = new LinkIdleStrategy(MINUTE_NS, MINUTE_NS); // every park a minute
        final AtomicInteger rounds = new AtomicInteger();
        final Thread link = new Thread(() ->
        {
            while (!Thread.currentThread().isInterrupted())
            {
                idle.idle(0);
                rounds.incrementAndGet();
            }
        }, "test-link");
        link.start();
        try
        {
            for (int send = 1; send <= 3; send++)
            {
                awaitUntil("the link parks (again, after its eager millisecond)",
                    () -> Thread.State.TIMED_WAITING == link.getState());
                final int before = rounds.get();
                idle.onSend();
                awaitUntil("the send ends the minute's park", () -> rounds.get() > before);
            }
        }
        finally
        {
            link.interrupt();
            link.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    private static void awaitUntil(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(1);
        }
    }
}
