package io.portask.perf.load;

import io.portask.client.Admin;
import io.portask.client.Retention;
import io.portask.core.CoreContext;
import io.portask.core.ThreadingMode;
import io.portask.ops.Broker;
import io.portask.ops.BrokerConfiguration;
import io.portask.ops.BrokerContext;
import io.portask.ops.CountersFile;
import net.openhft.chronicle.queue.RollCycle;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The broker a load run drives: one started in this JVM on a temporary data folder with the run's threading
 * mode and idle strategy (the default, so the conditions are known), or an external one at {@code --broker}.
 */
final class Target implements AutoCloseable
{
    private final Broker broker;
    private final File dataDir;
    private final String host;
    private final int port;
    private final AtomicInteger topics = new AtomicInteger();
    private Reloads reloads;

    private Target(final Broker broker, final File dataDir, final String host, final int port)
    {
        this.broker = broker;
        this.dataDir = dataDir;
        this.host = host;
        this.port = port;
    }

    static Target open(final LoadOptions options) throws IOException
    {
        if (null != options.broker)
        {
            final int colon = options.broker.lastIndexOf(':');
            if (colon < 1)
            {
                throw new IllegalArgumentException("--broker must be host:port: '" + options.broker + "'");
            }
            if (!"127.0.0.1".equals(options.broker.substring(0, colon)) &&
                !"localhost".equals(options.broker.substring(0, colon)))
            {
                throw new IllegalArgumentException("--broker must be on loopback: intended send times are " +
                    "compared with this host's clock");
            }
            return new Target(null, null, "127.0.0.1", Integer.parseInt(options.broker.substring(colon + 1)));
        }
        final File dataDir = Files.createTempDirectory("portask-load").toFile();
        final Broker broker = Broker.launch(context(options, dataDir, CoreContext.DEFAULT_RETENTION_MS));
        final Target target = new Target(broker, dataDir, "127.0.0.1", broker.port());
        if (options.reloadEveryMs > 0)
        {
            target.reloads = new Reloads(broker, options.reloadEveryMs, flip -> context(options, dataDir,
                flip ? CoreContext.DEFAULT_RETENTION_MS - 1 : CoreContext.DEFAULT_RETENTION_MS));
        }
        return target;
    }

    private static BrokerContext context(final LoadOptions options, final File dataDir, final long retentionMs)
    {
        return new BrokerContext()
            .port(0)
            .dataDir(dataDir)
            .threadingMode(options.threading)
            .idleStrategy(options.idle)
            .retentionMs(retentionMs)
            .retentionCheckIntervalMs(options.retentionMs > 0 ? 100 : CoreContext.DEFAULT_RETENTION_CHECK_INTERVAL_MS)
            .journalRollCycle(rollCycle(options.rollCycle));
    }

    /**
     * Stop the config reloads (if the run asked for them) and say in the conditions how many there were and how
     * long they took.
     */
    void finishReloads(final Conditions conditions)
    {
        if (null != reloads)
        {
            conditions.with("config reloads", reloads.stop());
        }
    }

    int port()
    {
        return port;
    }

    private static RollCycle rollCycle(final String name)
    {
        final RollCycle cycle = BrokerConfiguration.rollCycle(name);
        if (null == cycle)
        {
            throw new IllegalArgumentException("--roll-cycle must be daily, hourly, half-hourly, ten-minutely, " +
                "five-minutely or test-secondly, got '" + name + "'");
        }
        return cycle;
    }

    String bootstrap()
    {
        return host + ":" + port;
    }

    /**
     * @return the in-process broker's "bytes in" counter (every byte its clients sent), or -1 for an external one.
     */
    long bytesIn()
    {
        return null == broker ? -1 :
            CountersFile.read(new File(broker.aeronDirectoryName())).getOrDefault("bytes in", -1L);
    }

    /**
     * @param scenario   names the topic.
     * @param partitions partition count.
     * @param options    the run's storage kind.
     * @return the name of a new topic.
     */
    String createTopic(final String scenario, final int partitions, final LoadOptions options)
    {
        final String name = "load-" + scenario + "-" + ProcessHandle.current().pid() + "-" + topics.incrementAndGet();
        try (Admin admin = Admin.connect(bootstrap()))
        {
            admin.createTopic(name, partitions, options.storage, new Retention(options.retentionMs, -1));
        }
        return name;
    }

    /**
     * @param options the run's options.
     * @return the conditions of the machine and the broker.
     */
    Conditions conditions(final LoadOptions options)
    {
        final Conditions conditions = Conditions.ofThisMachine();
        if (null == broker)
        {
            return conditions.with("broker", "external " + bootstrap() + " (its threading, idle and pinning are " +
                "its own)");
        }
        return conditions
            .with("broker", "in-process")
            .with("threading", options.threading.name().toLowerCase(Locale.ROOT))
            .with("idle", options.idle.name().toLowerCase(Locale.ROOT).replace('_', '-'))
            .with("pinning", ThreadingMode.DEDICATED == options.threading ?
                "dedicated threads pinned when a core is free (OpenHFT Affinity)" : "none (shared threads)");
    }

    public void close()
    {
        if (null != reloads)
        {
            reloads.stop();
        }
        if (null != broker)
        {
            broker.close();
            IoUtil.delete(dataDir, true);
        }
    }
}
