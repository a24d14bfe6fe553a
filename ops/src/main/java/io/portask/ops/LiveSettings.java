package io.portask.ops;

import io.portask.config.ConfigurationException;
import io.portask.core.CoreSettings;
import io.portask.core.ThreadingMode;
import io.portask.protocol.CounterFactory;
import io.portask.protocol.CounterIds;
import io.portask.protocol.IpcStreams;
import io.portask.storage.writebehind.WriteBehindAgent;
import io.portask.transport.IdleSleep;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The broker's settings that change while it runs: what the core, its threads' idle strategies, the write-behind
 * and the log levels use now, and the reloads that change them (from SIGHUP or the RELOAD_CONFIG admin action), one
 * at a time on a thread of their own so the core never waits for a file.
 * <p>
 * Threading: the reloads are serialised here; each consumer reads its part through an atomic reference or a queue.
 */
final class LiveSettings implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(LiveSettings.class);

    private final BrokerContext started;
    private final AtomicReference<CoreSettings> core = new AtomicReference<>();
    private final AtomicReference<IdleStrategyKind> idle = new AtomicReference<>();
    private BrokerContext applied;
    private WriteBehindAgent writeBehind;
    private Supplier<BrokerContext> source;
    private ExecutorService reloads;

    LiveSettings(final BrokerContext started)
    {
        this.started = started;
        this.applied = started;
        core.set(ConfigReload.settings(started));
        idle.set(started.idleStrategy());
        LogLevels.install();
        LogLevels.apply(started.logLevels());
    }

    /**
     * @return the core's settings as they are now.
     */
    Supplier<CoreSettings> core()
    {
        return core::get;
    }

    /**
     * @return an idle strategy for one thread, following the configured kind.
     */
    IdleStrategy newIdleStrategy()
    {
        return new ReloadableIdleStrategy(idle, started.idleMaxParkNs());
    }

    /**
     * @param counters   where the sleep's counters go.
     * @param aeronDir   the broker's Aeron directory, where the doorbell socket goes.
     * @return how the transport's loop sleeps when idle: only while the configured kind is BACKOFF, for at most the
     * longest park; null unless the core shares the loop's thread (SHARED), as nothing would wake the loop for
     * answers the core writes from a thread of its own.
     */
    IdleSleep idleSleep(final CounterFactory counters, final String aeronDir)
    {
        if (ThreadingMode.SHARED != started.threadingMode())
        {
            return null;
        }
        return new IdleSleep(() -> IdleStrategyKind.BACKOFF == idle.getAcquire(), started.idleMaxParkNs(),
            Path.of(aeronDir, IpcStreams.DOORBELL_FILE), counters.newCounter(CounterIds.IPC_ASLEEP, "ipc asleep"),
            counters.newCounter(CounterIds.IPC_DOORBELL_RINGS, "ipc doorbell rings"));
    }

    synchronized void writeBehind(final WriteBehindAgent agent)
    {
        this.writeBehind = agent;
    }

    synchronized void source(final Supplier<BrokerContext> source)
    {
        this.source = source;
    }

    /**
     * Take freshly loaded (and validated) settings.
     *
     * @return what was applied and which changed keys need a restart.
     */
    synchronized String apply(final BrokerContext fresh)
    {
        final String report = ConfigReload.describe(started, applied, fresh);
        core.set(ConfigReload.settings(fresh));
        idle.set(fresh.idleStrategy());
        if (null != writeBehind && null != fresh.dragonfly())
        {
            writeBehind.tune(fresh.dragonfly().linger(), fresh.dragonfly().maxWriteBytes());
        }
        LogLevels.apply(fresh.logLevels());
        applied = fresh;
        return report;
    }

    /**
     * Reload from the configuration source on the reload thread.
     *
     * @return what was applied; completed exceptionally with an {@link IllegalStateException} saying why nothing
     *         changed.
     */
    synchronized CompletableFuture<String> reloadFromSource()
    {
        final Supplier<BrokerContext> from = source;
        if (null == from)
        {
            return CompletableFuture.failedFuture(new IllegalStateException(
                "this broker was started without a configuration source: nothing to reload"));
        }
        if (null == reloads)
        {
            reloads = Executors.newSingleThreadExecutor(runnable ->
            {
                final Thread thread = new Thread(runnable, "portask-config-reload");
                thread.setDaemon(true);
                return thread;
            });
        }
        return CompletableFuture.supplyAsync(() -> reload(from), reloads);
    }

    private String reload(final Supplier<BrokerContext> from)
    {
        final long startNs = System.nanoTime();
        try
        {
            final String report = apply(from.get()) + " (in " + (System.nanoTime() - startNs) / 1_000 + " us)";
            LOG.info("config reload: {}", report);
            return report;
        }
        catch (final ConfigurationException ex)
        {
            LOG.error("config reload refused, nothing changed: {}", ex.getMessage());
            throw new IllegalStateException("config reload refused, nothing changed: " + ex.getMessage(), ex);
        }
    }

    public synchronized void close()
    {
        if (null != reloads)
        {
            reloads.shutdownNow();
        }
    }
}
