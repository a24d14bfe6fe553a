package io.portask.perf.load;

import io.portask.ops.Broker;
import io.portask.ops.BrokerContext;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Config reloads of the in-process broker at a fixed interval while a load runs ({@code --reload-every-ms}): each
 * reload goes through the broker's own path (its reload thread, the configuration source, validation, the live
 * settings) and changes a reloadable value (the default retention flips between two values), so the core applies
 * new settings every time. Records how long each reload took, from the request to its answer.
 */
final class Reloads
{
    private final Thread thread;
    private final Histogram micros = new Histogram(TimeUnit.SECONDS.toMicros(10), 3);
    private volatile boolean running = true;
    private int refused;
    private String summary;

    Reloads(final Broker broker, final long everyMs, final Function<Boolean, BrokerContext> settings)
    {
        final boolean[] flip = new boolean[1];
        broker.configSource(() ->
        {
            flip[0] = !flip[0];
            return settings.apply(flip[0]);
        });
        thread = new Thread(() ->
        {
            while (running)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(everyMs));
                final long startNs = System.nanoTime();
                try
                {
                    broker.reloadFromSource().join();
                    micros.recordValue(
                        Math.min((System.nanoTime() - startNs) / 1_000, micros.getHighestTrackableValue()));
                }
                catch (final RuntimeException ex)
                {
                    refused++;
                }
            }
        }, "load-config-reloads");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * @return how many reloads ran and how long they took (us), once stopped.
     */
    synchronized String stop()
    {
        if (null == summary)
        {
            running = false;
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            summary = micros.getTotalCount() + " (" + refused + " refused), each request to answer p50 " +
                micros.getValueAtPercentile(50) + " us, max " + micros.getMaxValue() + " us";
        }
        return summary;
    }
}
