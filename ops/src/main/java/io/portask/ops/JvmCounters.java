package io.portask.ops;

import io.portask.protocol.CounterFactory;
import io.portask.protocol.CounterIds;
import org.agrona.concurrent.status.AtomicCounter;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The broker JVM's garbage collections and the time they took, per collector, copied into the counters file every
 * second, so {@code /metrics} serves them ({@code portask_gc_collections_total{kind}},
 * {@code portask_gc_time_ms_total{kind}}) beside the broker's own counters.
 */
final class JvmCounters implements AutoCloseable
{
    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    private final List<AtomicCounter[]> counters = new ArrayList<>();
    private final ScheduledExecutorService sampler;

    JvmCounters(final CounterFactory factory)
    {
        for (final GarbageCollectorMXBean collector : collectors)
        {
            final String kind = collector.getName().replaceAll("[^A-Za-z0-9]+", "_");
            counters.add(new AtomicCounter[]{
                factory.newCounter(CounterIds.GC_COLLECTIONS, null, -1, kind, "gc collections: " + kind),
                factory.newCounter(CounterIds.GC_TIME_MS, null, -1, kind, "gc time ms: " + kind) });
        }
        sampler = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "portask-jvm-counters");
            thread.setDaemon(true);
            return thread;
        });
        sampler.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
    }

    private void sample()
    {
        for (int i = 0; i < collectors.size(); i++)
        {
            counters.get(i)[0].setRelease(Math.max(0, collectors.get(i).getCollectionCount()));
            counters.get(i)[1].setRelease(Math.max(0, collectors.get(i).getCollectionTime()));
        }
    }

    public void close()
    {
        sampler.shutdownNow();
    }
}
