package io.portask.ops;

import io.portask.protocol.Frame;
import io.portask.storage.DataDirectoryLock;
import io.portask.storage.writebehind.DragonflyContext;
import io.portask.storage.writebehind.DragonflyRestore;

import java.io.File;
import java.io.PrintStream;
import java.util.Set;

/**
 * {@code portask storage restore --from-dragonfly TOPIC[/PARTITION]}: rebuilds missing journals from Dragonfly,
 * with the broker stopped. Dragonfly and the data folder come from the broker's own configuration (config file,
 * environment, -D), so the command finds what the broker wrote.
 */
final class StorageCommand
{
    private static final int BAR_WIDTH = 40;

    private StorageCommand()
    {
    }

    static int run(final String[] argv, final PrintStream out, final PrintStream err)
    {
        final Args args = new Args(argv, 1, Set.of("from-dragonfly", "config"), Set.of());
        final String action = args.positional(0, "storage action: restore");
        if (!"restore".equals(action))
        {
            throw new Args.UsageException("unknown storage action '" + action + "'");
        }
        final String target = args.option("from-dragonfly", null);
        if (null == target)
        {
            throw new Args.UsageException("restore needs --from-dragonfly TOPIC[/PARTITION]");
        }
        final int slash = target.indexOf('/');
        final String topic = slash < 0 ? target : target.substring(0, slash);
        final int partition = slash < 0 ? -1 : parsePartition(target.substring(slash + 1));
        final BrokerContext broker = BrokerConfiguration.context(Portask.loadConfig(args, BrokerConfiguration.KEYS));
        final DragonflyContext dragonfly = broker.dragonfly();
        if (null == dragonfly)
        {
            throw new Args.UsageException("no Dragonfly configured: set " + BrokerConfiguration.DRAGONFLY_HOST_PROP +
                " (and port, password) as for the broker");
        }
        final File dataDir = broker.dataDir();
        final DataDirectoryLock lock;
        try
        {
            lock = DataDirectoryLock.acquire(dataDir, "portask storage restore");
        }
        catch (final IllegalStateException ex)
        {
            err.println("portask: " + ex.getMessage());
            return 1;
        }
        try
        {
            final long records = new DragonflyRestore(dragonfly, dataDir, Frame.maxBatchLength(broker.maxFrameLength()))
                .restore(topic, partition, (p, done, total) -> bar(err, topic, p, done, total));
            err.println();
            out.println("restored " + records + " records of " + target + " into " + dataDir.getAbsolutePath());
        }
        catch (final IllegalStateException ex)
        {
            err.println();
            err.println("portask: " + ex.getMessage());
            return 1;
        }
        finally
        {
            lock.close();
        }
        return 0;
    }

    private static int parsePartition(final String text)
    {
        try
        {
            return Integer.parseInt(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new Args.UsageException("partition must be a number, got '" + text + "'");
        }
    }

    private static void bar(final PrintStream err, final String topic, final int partition, final long done,
        final long total)
    {
        final int filled = 0 == total ? BAR_WIDTH : (int)(BAR_WIDTH * done / total);
        err.print("\r" + topic + "/" + partition + " [" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "] " +
            done + "/" + total + " batches");
        err.flush();
    }
}
