package io.portask.ops;

import io.portask.core.CoreContext;
import io.portask.core.ThreadingMode;
import io.portask.protocol.Frame;
import io.portask.storage.writebehind.DragonflyContext;
import io.portask.transport.AuthSettings;
import io.portask.transport.TlsSettings;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;

import java.io.File;

/**
 * Everything a {@link Broker} is launched with. Fluent setters; {@link BrokerConfiguration#context} fills it
 * from configuration, tests fill it directly.
 */
public final class BrokerContext
{
    private String bindAddress = "127.0.0.1";
    private int port = BrokerConfiguration.PORT_DEFAULT;
    private File dataDir = new File("data");
    private ThreadingMode threadingMode = ThreadingMode.SHARED;
    private IdleStrategyKind idleStrategy = IdleStrategyKind.BACKOFF;
    private long idleMaxParkNs = IdleStrategyKind.DEFAULT_MAX_PARK_NS;
    private int maxFrameLength = Frame.DEFAULT_MAX_FRAME_LENGTH;
    private int ringBytes = 16 << 20;
    private File aeronDir;
    private boolean aeronEmbedded = true;
    private long memoryPartitionBytes = 64L << 20;
    private long retentionMs = CoreContext.DEFAULT_RETENTION_MS;
    private long retentionBytes = Long.MAX_VALUE;
    private long retentionCheckIntervalMs = CoreContext.DEFAULT_RETENTION_CHECK_INTERVAL_MS;
    private RollCycle journalRollCycle = RollCycles.FAST_DAILY;
    private long producerIdExpirationMs = CoreContext.DEFAULT_RETENTION_MS;
    private int groupMinSessionTimeoutMs = 500;
    private int groupMaxSessionTimeoutMs = 300_000;
    private long tierPartitionBytes = 16L << 20;
    private long memoryTotalBytes = 1L << 30;
    private int maxFetchWaitMs = 30_000;
    private int maxPendingBytes = 4 << 20;
    private int writeTimeoutMs = 10_000;
    private DragonflyContext dragonfly;
    private LogLevels.Settings logLevels = new LogLevels.Settings(java.util.logging.Level.INFO, java.util.Map.of());
    private TlsSettings tls;
    private AuthSettings auth;
    private boolean aclsEnabled;
    private java.util.Set<String> superUsers = java.util.Set.of();
    private ClusterConfiguration.Settings cluster;
    private TuningConfiguration.Settings placement = new TuningConfiguration.Settings(java.util.Map.of(), null);

    /** @param address to listen on. @return this. */
    public BrokerContext bindAddress(final String address)
    {
        this.bindAddress = address;
        return this;
    }

    /** @return address to listen on. */
    public String bindAddress()
    {
        return bindAddress;
    }

    /** @param port TCP port, 0 for any. @return this. */
    public BrokerContext port(final int port)
    {
        this.port = port;
        return this;
    }

    /** @return TCP port. */
    public int port()
    {
        return port;
    }

    /** @param dir data folder. @return this. */
    public BrokerContext dataDir(final File dir)
    {
        this.dataDir = dir;
        return this;
    }

    /** @return data folder. */
    public File dataDir()
    {
        return dataDir;
    }

    /** @param mode how agents map to threads. @return this. */
    public BrokerContext threadingMode(final ThreadingMode mode)
    {
        this.threadingMode = mode;
        return this;
    }

    /** @return how agents map to threads. */
    public ThreadingMode threadingMode()
    {
        return threadingMode;
    }

    /** @param kind idle strategy of the broker threads. @return this. */
    public BrokerContext idleStrategy(final IdleStrategyKind kind)
    {
        this.idleStrategy = kind;
        return this;
    }

    /** @return idle strategy of the broker threads. */
    public IdleStrategyKind idleStrategy()
    {
        return idleStrategy;
    }

    /** @param ns the longest park of the backoff idle strategy. @return this. */
    public BrokerContext idleMaxParkNs(final long ns)
    {
        this.idleMaxParkNs = ns;
        return this;
    }

    /** @return the longest park of the backoff idle strategy. */
    public long idleMaxParkNs()
    {
        return idleMaxParkNs;
    }

    /** @param length largest frame length field. @return this. */
    public BrokerContext maxFrameLength(final int length)
    {
        this.maxFrameLength = length;
        return this;
    }

    /** @return largest frame length field. */
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    /** @param bytes capacity of each ring buffer, a power of two. @return this. */
    public BrokerContext ringBytes(final int bytes)
    {
        this.ringBytes = bytes;
        return this;
    }

    /** @return capacity of each ring buffer. */
    public int ringBytes()
    {
        return ringBytes;
    }

    /** @param dir Aeron directory; null for DATA_DIR/aeron. @return this. */
    public BrokerContext aeronDir(final File dir)
    {
        this.aeronDir = dir;
        return this;
    }

    /** @return Aeron directory. */
    public File aeronDir()
    {
        return null == aeronDir ? new File(dataDir, "aeron") : aeronDir;
    }

    /** @param embedded false to attach to an external media driver in the Aeron directory. @return this. */
    public BrokerContext aeronEmbedded(final boolean embedded)
    {
        this.aeronEmbedded = embedded;
        return this;
    }

    /** @return true when the broker runs its own media driver. */
    public boolean aeronEmbedded()
    {
        return aeronEmbedded;
    }

    /** @param ms default retention by time (Long.MAX_VALUE: for ever). @return this. */
    public BrokerContext retentionMs(final long ms)
    {
        this.retentionMs = ms;
        return this;
    }

    /** @return default retention by time. */
    public long retentionMs()
    {
        return retentionMs;
    }

    /** @param bytes default retention by size per partition (Long.MAX_VALUE: none). @return this. */
    public BrokerContext retentionBytes(final long bytes)
    {
        this.retentionBytes = bytes;
        return this;
    }

    /** @return default retention by size per partition. */
    public long retentionBytes()
    {
        return retentionBytes;
    }

    /** @param ms time between retention checks. @return this. */
    public BrokerContext retentionCheckIntervalMs(final long ms)
    {
        this.retentionCheckIntervalMs = ms;
        return this;
    }

    /** @return time between retention checks. */
    public long retentionCheckIntervalMs()
    {
        return retentionCheckIntervalMs;
    }

    /** @param rollCycle how often a journal partition starts a new file (what retention deletes). @return this. */
    public BrokerContext journalRollCycle(final RollCycle rollCycle)
    {
        this.journalRollCycle = rollCycle;
        return this;
    }

    /** @return how often a journal partition starts a new file. */
    public RollCycle journalRollCycle()
    {
        return journalRollCycle;
    }

    /** @param ms how long an idle idempotent producer is remembered. @return this. */
    public BrokerContext producerIdExpirationMs(final long ms)
    {
        this.producerIdExpirationMs = ms;
        return this;
    }

    /** @return how long an idle idempotent producer is remembered. */
    public long producerIdExpirationMs()
    {
        return producerIdExpirationMs;
    }

    /** @param settings the TLS listener's, or null for none. @return this. */
    public BrokerContext tls(final TlsSettings settings)
    {
        this.tls = settings;
        return this;
    }

    /** @param settings how connections authenticate. @return this. */
    public BrokerContext auth(final AuthSettings settings)
    {
        this.auth = settings;
        return this;
    }

    /** @return how connections authenticate, or null (a context built by hand: no authenticator). */
    public AuthSettings auth()
    {
        return auth;
    }

    /** @param enabled whether requests are checked against ACLs. @param users who may do everything. @return this. */
    public BrokerContext acls(final boolean enabled, final java.util.Set<String> users)
    {
        this.aclsEnabled = enabled;
        this.superUsers = java.util.Set.copyOf(users);
        return this;
    }

    /** @return whether requests are checked against ACLs. */
    public boolean aclsEnabled()
    {
        return aclsEnabled;
    }

    /** @return principals that may do everything. */
    public java.util.Set<String> superUsers()
    {
        return superUsers;
    }

    /** @return the TLS listener's settings, or null. */
    public TlsSettings tls()
    {
        return tls;
    }

    /** @param minMs shortest group session timeout. @param maxMs longest. @return this. */
    public BrokerContext groupSessionTimeouts(final int minMs, final int maxMs)
    {
        this.groupMinSessionTimeoutMs = minMs;
        this.groupMaxSessionTimeoutMs = maxMs;
        return this;
    }

    /** @return shortest group session timeout. */
    public int groupMinSessionTimeoutMs()
    {
        return groupMinSessionTimeoutMs;
    }

    /** @return longest group session timeout. */
    public int groupMaxSessionTimeoutMs()
    {
        return groupMaxSessionTimeoutMs;
    }

    /** @param bytes most bytes a memory-only partition holds. @return this. */
    public BrokerContext memoryPartitionBytes(final long bytes)
    {
        this.memoryPartitionBytes = bytes;
        return this;
    }

    /** @return most bytes a memory-only partition holds. */
    public long memoryPartitionBytes()
    {
        return memoryPartitionBytes;
    }

    /** @param bytes memory tier per journal partition, 0 for none. @return this. */
    public BrokerContext tierPartitionBytes(final long bytes)
    {
        this.tierPartitionBytes = bytes;
        return this;
    }

    /** @return memory tier per journal partition. */
    public long tierPartitionBytes()
    {
        return tierPartitionBytes;
    }

    /** @param bytes all in-memory partition data together. @return this. */
    public BrokerContext memoryTotalBytes(final long bytes)
    {
        this.memoryTotalBytes = bytes;
        return this;
    }

    /** @return all in-memory partition data together. */
    public long memoryTotalBytes()
    {
        return memoryTotalBytes;
    }

    /** @param ms longest fetch wait. @return this. */
    public BrokerContext maxFetchWaitMs(final int ms)
    {
        this.maxFetchWaitMs = ms;
        return this;
    }

    /** @return longest fetch wait. */
    public int maxFetchWaitMs()
    {
        return maxFetchWaitMs;
    }

    /**
     * @param bytes unsent output a connection may hold before pushes to it pause and reading from it stops.
     * @return this for a fluent API.
     */
    public BrokerContext maxPendingBytes(final int bytes)
    {
        this.maxPendingBytes = bytes;
        return this;
    }

    /**
     * @return unsent output a connection may hold before pushes to it pause.
     */
    public int maxPendingBytes()
    {
        return maxPendingBytes;
    }

    /**
     * @param ms how long a connection's output may stay over the bound before it is closed.
     * @return this for a fluent API.
     */
    public BrokerContext writeTimeoutMs(final int ms)
    {
        this.writeTimeoutMs = ms;
        return this;
    }

    /**
     * @return how long a connection's output may stay over the bound before it is closed.
     */
    public int writeTimeoutMs()
    {
        return writeTimeoutMs;
    }

    /** @param ctx Dragonfly write-behind settings, or null for none. @return this. */
    public BrokerContext dragonfly(final DragonflyContext ctx)
    {
        this.dragonfly = ctx;
        return this;
    }

    /** @return Dragonfly write-behind settings, or null for none. */
    public DragonflyContext dragonfly()
    {
        return dragonfly;
    }

    /**
     * @param levels the log levels (reloadable).
     * @return this.
     */
    BrokerContext logLevels(final LogLevels.Settings levels)
    {
        this.logLevels = levels;
        return this;
    }

    /**
     * @return the log levels.
     */
    LogLevels.Settings logLevels()
    {
        return logLevels;
    }

    /**
     * @param settings where DEDICATED mode places the broker's threads.
     * @return this.
     */
    BrokerContext placement(final TuningConfiguration.Settings settings)
    {
        this.placement = settings;
        return this;
    }

    /**
     * @return where DEDICATED mode places the broker's threads.
     */
    TuningConfiguration.Settings placement()
    {
        return placement;
    }

    /**
     * @param settings the cluster this broker is a node of, or null (the default) for none.
     * @return this.
     */
    BrokerContext cluster(final ClusterConfiguration.Settings settings)
    {
        this.cluster = settings;
        return this;
    }

    /**
     * @return the cluster this broker is a node of, or null.
     */
    ClusterConfiguration.Settings cluster()
    {
        return cluster;
    }
}
