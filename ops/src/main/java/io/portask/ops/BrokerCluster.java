package io.portask.ops;

import io.portask.core.ReplicationLink;
import io.portask.protocol.Frame;
import io.portask.replication.BrokerReplication;
import io.portask.replication.ClusterNode;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A broker's cluster node (docs/replication.md): the Aeron Cluster node (its own media driver, Archive, consensus
 * module and service, under DATA/cluster) and the link between it and the core.
 * <p>
 * Threading: start and close from the broker's starting thread.
 */
final class BrokerCluster implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(BrokerCluster.class);

    private final ClusterConfiguration.Settings settings;
    private final File dir;
    private final ErrorHandler errorHandler;
    private final BrokerReplication link;
    private final ScheduledExecutorService snapshots = Executors.newSingleThreadScheduledExecutor(runnable ->
    {
        final Thread thread = new Thread(runnable, "portask-cluster-snapshots");
        thread.setDaemon(true);
        return thread;
    });
    private ClusterNode node;

    BrokerCluster(final ClusterConfiguration.Settings settings, final File dataDir, final int maxFrameLength,
        final ErrorHandler errorHandler)
    {
        this.settings = settings;
        this.dir = new File(dataDir, "cluster");
        this.errorHandler = errorHandler;
        final int ringBytes = Integer.highestOneBit(8 * (Frame.maxBatchLength(maxFrameLength) + 1024) - 1) << 1;
        this.link = new BrokerReplication(
            settings.memberId(), settings.brokerAddresses(), settings.basePort(), ringBytes, errorHandler);
    }

    /**
     * @return the core's side of the link.
     */
    ReplicationLink link()
    {
        return link;
    }

    /**
     * Start the node (waiting out a crashed predecessor's mark files) once the core can take the committed log.
     */
    void start()
    {
        node = ClusterNode.launchAfterCrash(settings.memberId(), BrokerReplication.hosts(settings.brokerAddresses()),
            settings.basePort(), dir, () -> link, settings.maxParkNs(), errorHandler, LOG::info);
        link.start(node);
        snapshots.scheduleAtFixedRate(this::snapshotIfLeader, settings.snapshotMs(), settings.snapshotMs(),
            TimeUnit.MILLISECONDS);
        LOG.info("cluster node {} of {} up: members {}, ports from {}", settings.memberId(),
            settings.brokerAddresses().size(), settings.brokerAddresses(), settings.basePort());
    }

    /**
     * On the leader: ask the cluster for a snapshot (every node takes one at the same log position).
     */
    private void snapshotIfLeader()
    {
        if (node.isLeader() && node.takeSnapshot())
        {
            LOG.info("cluster snapshot requested (node {} leads)", settings.memberId());
        }
    }

    /**
     * Stop the node, then the core's client session; after the core stopped.
     */
    public void close()
    {
        snapshots.shutdownNow();
        link.close();
        CloseHelper.quietClose(node);
        link.closeClient();
    }
}
