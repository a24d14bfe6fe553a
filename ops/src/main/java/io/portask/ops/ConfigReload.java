package io.portask.ops;

import io.portask.config.Configuration;
import io.portask.config.ConfigurationException;
import io.portask.core.CoreSettings;
import io.portask.storage.DataDirectoryLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reloading the broker's configuration while it runs: on SIGHUP (or {@code portask config reload}, which checks the
 * file first and then sends the broker SIGHUP), the broker reads its settings again from the same sources and
 * validates them with the same messages as at start; a bad file changes nothing and the log says why. The
 * reloadable keys ({@link CoreSettings}: retention defaults and check interval, producer id expiration, the longest
 * fetch wait, group session-timeout bounds) go to the core, which applies them at its next duty cycle; other keys
 * that changed are reported as needing a restart. Users, tokens and ACLs reload by themselves from their files.
 */
final class ConfigReload
{
    private static final Logger LOG = LoggerFactory.getLogger(ConfigReload.class);

    private ConfigReload()
    {
    }

    /**
     * @return the settings a context asks for.
     */
    static CoreSettings settings(final BrokerContext ctx)
    {
        return new CoreSettings(ctx.retentionMs(), ctx.retentionBytes(), ctx.retentionCheckIntervalMs(),
            ctx.producerIdExpirationMs(), ctx.maxFetchWaitMs(), ctx.groupMinSessionTimeoutMs(),
            ctx.groupMaxSessionTimeoutMs());
    }

    /**
     * Compare a freshly loaded context with the running one.
     *
     * @return what a reload applies now and which keys need a restart.
     */
    static String describe(final BrokerContext running, final BrokerContext fresh)
    {
        final List<String> restart = new ArrayList<>();
        changed(restart, BrokerConfiguration.BIND_PROP, running.bindAddress(), fresh.bindAddress());
        changed(restart, BrokerConfiguration.PORT_PROP, running.port(), fresh.port());
        changed(restart, BrokerConfiguration.DATA_DIR_PROP, running.dataDir(), fresh.dataDir());
        changed(restart, BrokerConfiguration.THREADING_MODE_PROP, running.threadingMode(), fresh.threadingMode());
        changed(restart, BrokerConfiguration.IDLE_STRATEGY_PROP, running.idleStrategy(), fresh.idleStrategy());
        changed(restart, BrokerConfiguration.MAX_FRAME_BYTES_PROP, running.maxFrameLength(), fresh.maxFrameLength());
        changed(restart, BrokerConfiguration.RING_BYTES_PROP, running.ringBytes(), fresh.ringBytes());
        changed(restart, BrokerConfiguration.MEMORY_TOTAL_BYTES_PROP, running.memoryTotalBytes(),
            fresh.memoryTotalBytes());
        changed(restart, "portask.tls.*", running.tls(), fresh.tls());
        changed(restart, "portask.security.* (authentication)", running.auth(), fresh.auth());
        changed(restart, "portask.security.acls.enabled / super.users", running.aclsEnabled() + " " +
            running.superUsers(), fresh.aclsEnabled() + " " + fresh.superUsers());
        changed(restart, "portask.dragonfly.*", null == running.dragonfly(), null == fresh.dragonfly());
        final CoreSettings before = settings(running);
        final CoreSettings after = settings(fresh);
        return (before.equals(after) ? "reloadable settings unchanged" : "applied " + after) +
            (restart.isEmpty() ? "" : "; changed but needs a restart: " + String.join(", ", restart));
    }

    private static void changed(final List<String> keys, final String key, final Object before, final Object after)
    {
        if (!Objects.equals(before, after))
        {
            keys.add(key);
        }
    }

    /**
     * On SIGHUP, load the settings again and hand them to the broker; log what happened.
     *
     * @param load loads and validates the configuration as at start.
     */
    static void onHangUp(final Broker broker, final Supplier<BrokerContext> load)
    {
        final Object handler = Proxy.newProxyInstance(ConfigReload.class.getClassLoader(),
            new Class<?>[]{ signalClass("sun.misc.SignalHandler") }, (InvocationHandler)(proxy, method, args) ->
            {
                if ("handle".equals(method.getName()))
                {
                    reload(broker, load);
                }
                return null;
            });
        try
        {
            final Class<?> signal = signalClass("sun.misc.Signal");
            signal.getMethod("handle", signal, signalClass("sun.misc.SignalHandler"))
                .invoke(null, signal.getConstructor(String.class).newInstance("HUP"), handler);
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            LOG.warn("config reload on SIGHUP is not available here: {}", ex.toString());
        }
    }

    static void reload(final Broker broker, final Supplier<BrokerContext> load)
    {
        try
        {
            LOG.info("config reload: {}", broker.reload(load.get()));
        }
        catch (final ConfigurationException ex)
        {
            LOG.error("config reload refused, nothing changed: {}", ex.getMessage());
        }
    }

    private static Class<?> signalClass(final String name)
    {
        try
        {
            return Class.forName(name);
        }
        catch (final ClassNotFoundException ex)
        {
            throw new IllegalStateException(name + " is not available", ex);
        }
    }

    /**
     * {@code portask config reload [--config FILE] [--data-dir DIR]}: validate the settings as the broker will, then
     * send the broker of that data folder SIGHUP.
     */
    static int command(final String[] argv, final PrintStream out)
    {
        final Args args = new Args(argv, 1, Set.of("config", "data-dir"), Set.of());
        final String action = args.positional(0, "config action: reload");
        if (!"reload".equals(action))
        {
            throw new Args.UsageException("unknown config action '" + action + "'");
        }
        final Configuration config = Portask.loadConfig(args, BrokerConfiguration.KEYS);
        final BrokerContext fresh = BrokerConfiguration.context(config);
        final Path data = Path.of(args.option("data-dir", fresh.dataDir().getPath()));
        final long pid;
        try
        {
            final String holder = Files.readString(data.resolve(DataDirectoryLock.FILE_NAME), StandardCharsets.UTF_8);
            pid = Long.parseLong(holder.substring(holder.lastIndexOf(" pid ") + 5).trim());
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new Args.UsageException("no running broker found in " + data + " (" + ex.getMessage() + ")");
        }
        if (ProcessHandle.of(pid).isEmpty())
        {
            throw new Args.UsageException("the broker of " + data + " (pid " + pid + ") is not running");
        }
        try
        {
            final Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(pid)).inheritIO().start();
            if (0 != kill.waitFor())
            {
                throw new Args.UsageException("cannot signal pid " + pid);
            }
        }
        catch (final IOException ex)
        {
            throw new Args.UsageException("cannot signal pid " + pid + ": " + ex.getMessage());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return 1;
        }
        out.println("settings valid; reload requested (broker pid " + pid + "): its log says what it applied");
        return 0;
    }
}
