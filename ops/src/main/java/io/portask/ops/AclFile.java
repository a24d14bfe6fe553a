package io.portask.ops;

import io.portask.core.acl.Acl;
import io.portask.core.acl.Acls;
import io.portask.transport.SecurityStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The ACLs in {@code DATA/security/acls}, one rule a line ({@link Acl#parse}), edited by {@code portask acls} on the
 * broker's host; the broker's loader thread reads the file when it changes and publishes the rules for the core,
 * which applies them to open connections at its next duty cycle. A file that does not parse changes nothing and is
 * logged.
 */
final class AclFile implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(AclFile.class);

    private final Path folder;
    private final boolean enabled;
    private final Set<String> superUsers;
    private final AtomicReference<Acls> current;
    private final ScheduledExecutorService loader;
    private long stamp;

    /**
     * Load the rules now and every half second when the file changed.
     */
    AclFile(final Path folder, final boolean enabled, final Set<String> superUsers)
    {
        this.folder = folder;
        this.enabled = enabled;
        this.superUsers = Set.copyOf(superUsers);
        this.stamp = stamp(folder);
        this.current = new AtomicReference<>(new Acls(enabled, this.superUsers, read(folder)));
        this.loader = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "portask-acl-loader");
            thread.setDaemon(true);
            return thread;
        });
        loader.scheduleWithFixedDelay(this::reloadIfChanged, 500, 500, TimeUnit.MILLISECONDS);
    }

    /**
     * @return the rules now (what the core reads).
     */
    Acls current()
    {
        return current.get();
    }

    private void reloadIfChanged()
    {
        final long now = stamp(folder);
        if (now == stamp)
        {
            return;
        }
        stamp = now;
        try
        {
            final List<Acl> rules = read(folder);
            current.set(new Acls(enabled, superUsers, rules));
            LOG.info("ACLs reloaded: {} rule(s)", rules.size());
        }
        catch (final RuntimeException ex)
        {
            LOG.error("ACLs not reloaded, the previous ones stay: {}", ex.getMessage());
        }
    }

    /**
     * @return what tells a change of the rules file: its modification time and size.
     */
    private static long stamp(final Path folder)
    {
        final java.io.File file = folder.resolve("acls").toFile();
        return file.lastModified() * 31 + file.length();
    }

    static List<Acl> read(final Path folder)
    {
        final List<Acl> rules = new ArrayList<>();
        for (final String[] words : SecurityStore.lines(folder.resolve("acls")))
        {
            rules.add(Acl.parse(String.join(" ", words)));
        }
        return rules;
    }

    /**
     * @return false when the rule was there already.
     */
    static boolean add(final Path folder, final Acl rule)
    {
        final List<Acl> rules = read(folder);
        if (rules.contains(rule))
        {
            return false;
        }
        rules.add(rule);
        write(folder, rules);
        return true;
    }

    /**
     * @return false when there was no such rule.
     */
    static boolean remove(final Path folder, final Acl rule)
    {
        final List<Acl> rules = read(folder);
        if (!rules.remove(rule))
        {
            return false;
        }
        write(folder, rules);
        return true;
    }

    private static void write(final Path folder, final List<Acl> rules)
    {
        SecurityStore.write(folder.resolve("acls"), rules.stream().map(Acl::toString).toList());
    }

    public void close()
    {
        loader.shutdownNow();
    }
}
