package io.portask.ops;

import io.portask.config.Configuration;
import io.portask.core.CoreSettings;
import io.portask.storage.DataDirectoryLock;
import io.portask.storage.writebehind.DragonflyContext;
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

/**
 * Reloading the broker's configuration while it runs: on SIGHUP (or {@code portask config reload}, which checks the
 * file first and then sends the broker SIGHUP), the broker reads its settings again from the same sources and
 * validates them with the same messages as at start; a bad file changes nothing and the log says why. The
 * reloadable keys: {@link CoreSettings} (retention defaults and check interval, producer id expiration, the longest
 * fetch wait, group session-timeout bounds) go to the core, which applies them at its next duty cycle; the idle
 * strategy to each broker thread at its next idle; write-behind linger and largest write to the write-behind agent;
 * log levels at once. Other keys that changed are reported as needing a restart. Users, tokens and ACLs reload by
 * themselves from their files. The admin action RELOAD_CONFIG does the same on a thread of the broker's.
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
     * Compare freshly loaded settings with those the broker started with (for the keys a restart needs) and with
     * those it applies now (for the reloadable ones).
     *
     * @return what a reload applies now and which keys need a restart.
     */
    static String describe(final BrokerContext started, final BrokerContext applied, final BrokerContext fresh)
    {
        final List<String> restart = new ArrayList<>();
        changed(restart, BrokerConfiguration.BIND_PROP, started.bindAddress(), fresh.bindAddress());
        changed(restart, BrokerConfiguration.PORT_PROP, started.port(), fresh.port());
        changed(restart, BrokerConfiguration.DATA_DIR_PROP, started.dataDir(), fresh.dataDir());
        changed(restart, BrokerConfiguration.THREADING_MODE_PROP, started.threadingMode(), fresh.threadingMode());
        changed(restart, BrokerConfiguration.IDLE_MAX_PARK_US_PROP, started.idleMaxParkNs(), fresh.idleMaxParkNs());
        changed(restart, BrokerConfiguration.MAX_FRAME_BYTES_PROP, started.maxFrameLength(), fresh.maxFrameLength());
        changed(restart, BrokerConfiguration.RING_BYTES_PROP, started.ringBytes(), fresh.ringBytes());
        changed(restart, BrokerConfiguration.MEMORY_TOTAL_BYTES_PROP, started.memoryTotalBytes(),
            fresh.memoryTotalBytes());
        changed(restart, "portask.tls.*", started.tls(), fresh.tls());
        changed(restart, "portask.security.* (authentication)", started.auth(), fresh.auth());
        changed(restart, "portask.security.acls.enabled / super.users", started.aclsEnabled() + " " +
            started.superUsers(), fresh.aclsEnabled() + " " + fresh.superUsers());
        if (null == started.dragonfly() ? null != fresh.dragonfly() :
            null == fresh.dragonfly() || !started.dragonfly().sameServer(fresh.dragonfly()))
        {
            restart.add("portask.dragonfly.* (server, connections, topics)");
        }
        final List<String> now = new ArrayList<>();
        changed(now, words(settings(fresh)), settings(applied), settings(fresh));
        changed(now, "idle strategy " + fresh.idleStrategy(), applied.idleStrategy(), fresh.idleStrategy());
        changed(now, writeBehind(fresh), writeBehind(applied), writeBehind(fresh));
        changed(now, fresh.logLevels().toString(), applied.logLevels(), fresh.logLevels());
        return (now.isEmpty() ? "reloadable settings unchanged" : "applied " + String.join("; ", now)) +
            (restart.isEmpty() ? "" : "; changed but needs a restart: " + String.join(", ", restart));
    }

    private static String words(final CoreSettings core)
    {
        return BrokerConfiguration.RETENTION_MS_PROP + "=" + core.retentionMs() + ", " +
            BrokerConfiguration.RETENTION_BYTES_PROP + "=" + (Long.MAX_VALUE == core.retentionBytes() ? "unlimited" :
            core.retentionBytes()) + ", " + BrokerConfiguration.RETENTION_CHECK_INTERVAL_MS_PROP + "=" +
            core.retentionCheckIntervalMs() + ", " + BrokerConfiguration.PRODUCER_ID_EXPIRATION_MS_PROP + "=" +
            core.producerIdExpirationMs() + ", " + BrokerConfiguration.MAX_FETCH_WAIT_MS_PROP + "=" +
            core.maxFetchWaitMs() + ", group session timeouts " + core.groupMinSessionTimeoutMs() + ".." +
            core.groupMaxSessionTimeoutMs() + " ms";
    }

    /**
     * @return the write-behind settings a reload applies, in words; null without write-behind.
     */
    static String writeBehind(final BrokerContext ctx)
    {
        final DragonflyContext dragonfly = ctx.dragonfly();
        return null == dragonfly ? null : "write-behind linger " + dragonfly.linger().toMillis() + " ms, max write " +
            dragonfly.maxWriteBytes() + " bytes";
    }

    private static void changed(final List<String> keys, final String key, final Object before, final Object after)
    {
        if (!Objects.equals(before, after))
        {
            keys.add(key);
        }
    }

    /**
     * On SIGHUP, reload: the action loads the settings again and logs what happened.
     */
    static void onHangUp(final Runnable reload)
    {
        final Object handler = Proxy.newProxyInstance(ConfigReload.class.getClassLoader(),
            new Class<?>[]{ signalClass("sun.misc.SignalHandler") }, (InvocationHandler)(proxy, method, args) ->
            {
                if ("handle".equals(method.getName()))
                {
                    reload.run();
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
