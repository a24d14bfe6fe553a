package io.portask.replication;

import io.aeron.ChannelUriStringBuilder;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpLock;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One node of a replicated Portask: a media driver, an Archive (which records the cluster log), a consensus module
 * (Raft: elections, replication, commit) and the service container running {@link ReplicatedService}, all in
 * this process, with their files under one folder:
 * <pre>
 *   DIR/aeron     the media driver     DIR/archive   the recorded log and snapshots
 *   DIR/cluster   consensus state      DIR/journals  the partition journals ({@link LocalJournals} only; a
 *                                                    broker's are in its data folder)
 * </pre>
 * Ports: member {@code i} of the cluster uses {@code basePort + 10 * i + k} for k = 1 archive control, 2 client
 * ingress, 3 consensus, 4 log, 5 catch-up.
 * <p>
 * Threading: every component on a thread of its own, idling by backoff (this suits a shared host; a tuned host
 * places them by {@code tuning/}, not done yet).
 */
public final class ClusterNode implements AutoCloseable
{
    private static final int TERM_LENGTH = 64 * 1024;
    /**
     * Sessions the cluster keeps at once: one per broker, and those of brokers killed and restarted until they
     * time out (Aeron's default of 10 refused the restarted brokers' sessions after a few failovers).
     */
    private static final int MAX_SESSIONS = 64;
    /** The default longest park of every component's idle strategy: measured 3x faster acks than 1 ms here. */
    public static final long DEFAULT_MAX_PARK_NS = 100_000;

    private final ClusteredMediaDriver driver;
    private final ClusteredServiceContainer container;
    private final ReplicatedService service;

    private ClusterNode(
        final ClusteredMediaDriver driver, final ClusteredServiceContainer container, final ReplicatedService service)
    {
        this.driver = driver;
        this.container = container;
        this.service = service;
    }

    /**
     * @param basePort the first port of member 0's block.
     * @param memberId which member.
     * @param port     k, see the class comment.
     * @return the port.
     */
    static int port(final int basePort, final int memberId, final int port)
    {
        return basePort + 10 * memberId + port;
    }

    /**
     * @param hosts    one host name per member, by member id.
     * @param basePort the first port of member 0's block.
     * @return the cluster members as Aeron Cluster takes them:
     * {@code id,ingress,consensus,log,catchup,archive|...}.
     */
    public static String members(final List<String> hosts, final int basePort)
    {
        final StringBuilder members = new StringBuilder();
        for (int id = 0; id < hosts.size(); id++)
        {
            final String host = hosts.get(id);
            members.append(id);
            for (final int k : new int[]{ 2, 3, 4, 5, 1 })
            {
                members.append(',').append(host).append(':').append(port(basePort, id, k));
            }
            members.append('|');
        }
        return members.toString();
    }

    /**
     * @param hosts    one host name per member, by member id.
     * @param basePort the first port of member 0's block.
     * @return the client ingress endpoints: {@code id=host:port,...}.
     */
    public static String ingressEndpoints(final List<String> hosts, final int basePort)
    {
        final StringBuilder endpoints = new StringBuilder();
        for (int id = 0; id < hosts.size(); id++)
        {
            endpoints.append(id > 0 ? "," : "").append(id).append('=').append(hosts.get(id)).append(':')
                .append(port(basePort, id, 2));
        }
        return endpoints.toString();
    }

    /**
     * Start a node that keeps its journals itself ({@link LocalJournals}, under DIR/journals).
     *
     * @param memberId       this node's member id.
     * @param hosts          one host name per member, by member id.
     * @param basePort       the first port of member 0's block.
     * @param dir            this node's folder.
     * @param maxBatchLength the largest batch an append may carry.
     * @param errorHandler   told of every component's errors.
     * @return the running node.
     */
    public static ClusterNode launch(
        final int memberId,
        final List<String> hosts,
        final int basePort,
        final File dir,
        final int maxBatchLength,
        final ErrorHandler errorHandler)
    {
        return launch(memberId, hosts, basePort, dir, new LocalJournals(new File(dir, "journals"), maxBatchLength),
            DEFAULT_MAX_PARK_NS, errorHandler);
    }

    /**
     * Start a node; it joins the others (or waits for them) and takes part in elections.
     *
     * @param memberId     this node's member id.
     * @param hosts        one host name per member, by member id.
     * @param basePort     the first port of member 0's block.
     * @param dir          this node's folder.
     * @param committed    where the committed log goes.
     * @param maxParkNs    the longest park of every component's idle strategy.
     * @param errorHandler told of every component's errors.
     * @return the running node.
     */
    public static ClusterNode launch(
        final int memberId,
        final List<String> hosts,
        final int basePort,
        final File dir,
        final CommittedLog committed,
        final long maxParkNs,
        final ErrorHandler errorHandler)
    {
        final String host = hosts.get(memberId);
        final String aeronDir = new File(dir, "aeron").getAbsolutePath();
        final MediaDriver.Context driverCtx = new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(idle(maxParkNs).get())
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .errorHandler(errorHandler);
        final Archive.Context archiveCtx = new Archive.Context()
            .aeronDirectoryName(aeronDir)
            .archiveDir(new File(dir, "archive"))
            .controlChannel(udp(host, port(basePort, memberId, 1)))
            .archiveClientContext(
                new AeronArchive.Context().controlResponseChannel("aeron:udp?endpoint=" + host + ":0"))
            .localControlChannel("aeron:ipc?term-length=64k")
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(idle(maxParkNs))
            .errorHandler(errorHandler);
        final AeronArchive.Context archiveClient = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .controlRequestChannel(archiveCtx.localControlChannel())
            .controlResponseChannel(archiveCtx.localControlChannel())
            .aeronDirectoryName(aeronDir);
        final ConsensusModule.Context consensusCtx = new ConsensusModule.Context()
            .clusterMemberId(memberId)
            .clusterMembers(members(hosts, basePort))
            .clusterDir(new File(dir, "cluster"))
            .ingressChannel("aeron:udp?term-length=64k")
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .leaderHeartbeatTimeoutNs(TimeUnit.SECONDS.toNanos(2))
            .maxConcurrentSessions(MAX_SESSIONS)
            .archiveContext(archiveClient.clone())
            .idleStrategySupplier(idle(maxParkNs))
            .errorHandler(errorHandler);
        final ReplicatedService service = new ReplicatedService(committed);
        final ClusteredServiceContainer.Context serviceCtx = new ClusteredServiceContainer.Context()
            .aeronDirectoryName(aeronDir)
            .archiveContext(archiveClient.clone())
            .clusterDir(new File(dir, "cluster"))
            .clusteredService(service)
            .idleStrategySupplier(idle(maxParkNs))
            .errorHandler(errorHandler);
        ClusteredMediaDriver driver = null;
        try
        {
            driver = ClusteredMediaDriver.launch(driverCtx, archiveCtx, consensusCtx);
            return new ClusterNode(driver, ClusteredServiceContainer.launch(serviceCtx), service);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            throw ex;
        }
    }

    /**
     * {@link #launch} a node, waiting while the mark files of a node that died in this folder (kill -9) still look
     * alive: the Archive and the consensus module refuse to start until they are older than their liveness
     * time-out (10 s). Gives up after 60 s.
     *
     * @param committed makes the committed log for each attempt.
     * @param maxParkNs the longest park of every component's idle strategy.
     * @param log       told why it waits.
     */
    public static ClusterNode launchAfterCrash(
        final int memberId,
        final List<String> hosts,
        final int basePort,
        final File dir,
        final Supplier<CommittedLog> committed,
        final long maxParkNs,
        final ErrorHandler errorHandler,
        final Consumer<String> log)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            try
            {
                return launch(memberId, hosts, basePort, dir, committed.get(), maxParkNs, errorHandler);
            }
            catch (final IllegalStateException ex)
            {
                if (null == ex.getMessage() || !ex.getMessage().contains("active mark file") ||
                    System.nanoTime() > deadline)
                {
                    throw ex;
                }
                log.accept("waiting for the mark file of the cluster node that ran here to age out: " +
                    ex.getMessage());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            }
        }
    }

    /**
     * Every component's idle strategy: spin, yield, then park from 1 us doubling to {@code maxParkNs}. Each commit
     * crosses several of these threads (ingress, consensus on each node, the service, egress), so the longest park
     * bounds what an idle cluster adds to an ack.
     */
    private static Supplier<IdleStrategy> idle(final long maxParkNs)
    {
        return () -> new BackoffIdleStrategy(10, 20, 1_000, maxParkNs);
    }

    private static String udp(final String host, final int port)
    {
        return new ChannelUriStringBuilder().media("udp").termLength(TERM_LENGTH).endpoint(host + ":" + port).build();
    }

    /**
     * @return the service; read its state only while the node is stopped, or from its thread (but
     * {@link ReplicatedService#highWatermark} from any).
     */
    ReplicatedService service()
    {
        return service;
    }

    /**
     * @return the node's media driver folder, for clients of the cluster in this process.
     */
    public String aeronDirectoryName()
    {
        return driver.mediaDriver().aeronDirectoryName();
    }

    /**
     * Ask for a snapshot of every node's state (on the leader: the cluster takes it at one log position); done when
     * {@link #snapshots()} grows on each node.
     *
     * @return false when a control action is already in progress.
     */
    public boolean takeSnapshot()
    {
        return ClusterControl.ToggleState.SNAPSHOT.toggle(driver.consensusModule().context().controlToggleCounter());
    }

    /**
     * @return true while this node's consensus module leads the cluster.
     */
    public boolean isLeader()
    {
        return Cluster.Role.LEADER ==
            Cluster.Role.get(driver.consensusModule().context().clusterNodeRoleCounter());
    }

    /**
     * @return snapshots this node has taken since it started.
     */
    public long snapshots()
    {
        return driver.consensusModule().context().snapshotCounter().get();
    }

    /**
     * Stop the node: the service, then consensus, archive and driver.
     */
    public void close()
    {
        CloseHelper.closeAll(container, driver);
        service.close();
    }
}
