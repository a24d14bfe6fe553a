package io.portask.core;

import io.portask.core.acl.Acls;
import io.portask.core.ring.RingMessages;
import io.portask.protocol.CounterFactory;
import io.portask.protocol.Frame;
import io.portask.storage.spi.BrokerStore;
import io.portask.storage.spi.PartitionListener;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.util.function.Supplier;

/**
 * Everything the {@link CoreAgent} needs. Fluent setters, validated by {@link #conclude()}; not thread safe,
 * fill it on one thread before the agent starts.
 */
public final class CoreContext
{
    /** Default most bytes one push message carries. */
    public static final int DEFAULT_MAX_PUSH_BYTES = 256 * 1024;
    /** Default longest a fetch may wait at the head. */
    public static final int DEFAULT_MAX_FETCH_WAIT_MS = 30_000;
    /** Default retention by time: 7 days, as Kafka's. */
    public static final long DEFAULT_RETENTION_MS = 7L * 24 * 60 * 60 * 1000;
    /** Default time between two retention checks of every partition. */
    public static final long DEFAULT_RETENTION_CHECK_INTERVAL_MS = 1000;

    private RingBuffer inboundRing;
    private RingBuffer outboundRing;
    private RingBuffer ipcOutboundRing;
    private BrokerStore store;
    private CounterFactory counterFactory;
    private ErrorHandler errorHandler;
    private PartitionListener partitionListener = PartitionListener.NONE;
    private AdminHandler adminHandler = AdminHandler.NONE;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private EpochClock epochClock = SystemEpochClock.INSTANCE;
    private int maxFrameLength = Frame.DEFAULT_MAX_FRAME_LENGTH;
    private int maxPushBytes = DEFAULT_MAX_PUSH_BYTES;
    private int maxFetchWaitMs = DEFAULT_MAX_FETCH_WAIT_MS;
    private long retentionMs = DEFAULT_RETENTION_MS;
    private long retentionBytes = Long.MAX_VALUE;
    private long retentionCheckIntervalMs = DEFAULT_RETENTION_CHECK_INTERVAL_MS;
    private long producerIdExpirationMs = DEFAULT_RETENTION_MS;
    private Supplier<Acls> acls = () -> Acls.DISABLED;
    private Supplier<CoreSettings> settings;
    private ReplicationLink replication;
    private int groupMinSessionTimeoutMs = GroupCoordinator.MIN_SESSION_TIMEOUT_MS;
    private int groupMaxSessionTimeoutMs = GroupCoordinator.MAX_SESSION_TIMEOUT_MS;

    /**
     * Check that every required part is set and the sizes agree.
     *
     * @return this for a fluent API.
     * @throws IllegalStateException naming what is missing or inconsistent.
     */
    public CoreContext conclude()
    {
        require(inboundRing, "inboundRing");
        require(outboundRing, "outboundRing");
        require(store, "store");
        require(counterFactory, "counterFactory");
        require(errorHandler, "errorHandler");
        final int largestMessage = RingMessages.MESSAGE_OFFSET + Frame.messageLength(maxFrameLength);
        if (inboundRing.maxMsgLength() < largestMessage || outboundRing.maxMsgLength() < largestMessage ||
            (null != ipcOutboundRing && ipcOutboundRing.maxMsgLength() < largestMessage))
        {
            throw new IllegalStateException("ring buffers must take messages of " + largestMessage +
                " bytes for maxFrameLength=" + maxFrameLength + ": inbound max=" + inboundRing.maxMsgLength() +
                " outbound max=" + outboundRing.maxMsgLength());
        }
        if (maxPushBytes < 1024 || maxPushBytes > Frame.messageLength(maxFrameLength) - 64)
        {
            throw new IllegalStateException("maxPushBytes=" + maxPushBytes + " must be in [1024, maxFrameLength-68]");
        }
        return this;
    }

    private static void require(final Object value, final String name)
    {
        if (null == value)
        {
            throw new IllegalStateException("CoreContext." + name + " is not set");
        }
    }

    /**
     * @param ring transport-to-core ring.
     * @return this for a fluent API.
     */
    public CoreContext inboundRing(final RingBuffer ring)
    {
        this.inboundRing = ring;
        return this;
    }

    /**
     * @return transport-to-core ring.
     */
    public RingBuffer inboundRing()
    {
        return inboundRing;
    }

    /**
     * @param ring core-to-transport ring.
     * @return this for a fluent API.
     */
    public CoreContext outboundRing(final RingBuffer ring)
    {
        this.outboundRing = ring;
        return this;
    }

    /**
     * @return core-to-transport ring.
     */
    public RingBuffer outboundRing()
    {
        return outboundRing;
    }

    /**
     * @param ring core-to-IPC ring for connections with {@link RingMessages#IPC_CONNECTION_BIT}, or null when
     *             there is no IPC transport.
     * @return this for a fluent API.
     */
    public CoreContext ipcOutboundRing(final RingBuffer ring)
    {
        this.ipcOutboundRing = ring;
        return this;
    }

    /**
     * @return core-to-IPC ring, or null.
     */
    public RingBuffer ipcOutboundRing()
    {
        return ipcOutboundRing;
    }

    /**
     * @param store durable broker state.
     * @return this for a fluent API.
     */
    public CoreContext store(final BrokerStore store)
    {
        this.store = store;
        return this;
    }

    /**
     * @return durable broker state.
     */
    public BrokerStore store()
    {
        return store;
    }

    /**
     * @param factory allocates counters.
     * @return this for a fluent API.
     */
    public CoreContext counterFactory(final CounterFactory factory)
    {
        this.counterFactory = factory;
        return this;
    }

    /**
     * @return allocates counters.
     */
    public CounterFactory counterFactory()
    {
        return counterFactory;
    }

    /**
     * @param handler records errors on the hot path, once each.
     * @return this for a fluent API.
     */
    public CoreContext errorHandler(final ErrorHandler handler)
    {
        this.errorHandler = handler;
        return this;
    }

    /**
     * @return records errors on the hot path.
     */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * @param listener told when partitions open and topics are deleted.
     * @return this for a fluent API.
     */
    public CoreContext partitionListener(final PartitionListener listener)
    {
        this.partitionListener = listener;
        return this;
    }

    /**
     * @return told when partitions open and topics are deleted.
     */
    public PartitionListener partitionListener()
    {
        return partitionListener;
    }

    /**
     * @param handler carries out operator actions.
     * @return this for a fluent API.
     */
    public CoreContext adminHandler(final AdminHandler handler)
    {
        this.adminHandler = handler;
        return this;
    }

    /**
     * @return carries out operator actions.
     */
    public AdminHandler adminHandler()
    {
        return adminHandler;
    }

    /**
     * @param clock for fetch deadlines.
     * @return this for a fluent API.
     */
    public CoreContext nanoClock(final NanoClock clock)
    {
        this.nanoClock = clock;
        return this;
    }

    /**
     * @return for fetch deadlines.
     */
    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * @param clock wall clock for health responses.
     * @return this for a fluent API.
     */
    public CoreContext epochClock(final EpochClock clock)
    {
        this.epochClock = clock;
        return this;
    }

    /**
     * @return wall clock.
     */
    public EpochClock epochClock()
    {
        return epochClock;
    }

    /**
     * @param length largest frame length field accepted and sent.
     * @return this for a fluent API.
     */
    public CoreContext maxFrameLength(final int length)
    {
        this.maxFrameLength = length;
        return this;
    }

    /**
     * @return largest frame length field.
     */
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    /**
     * @param bytes most bytes one push carries.
     * @return this for a fluent API.
     */
    public CoreContext maxPushBytes(final int bytes)
    {
        this.maxPushBytes = bytes;
        return this;
    }

    /**
     * @return most bytes one push carries.
     */
    public int maxPushBytes()
    {
        return maxPushBytes;
    }

    /**
     * @param ms longest a fetch may wait; longer requests are clamped.
     * @return this for a fluent API.
     */
    public CoreContext maxFetchWaitMs(final int ms)
    {
        this.maxFetchWaitMs = ms;
        return this;
    }

    /**
     * @return longest a fetch may wait.
     */
    public int maxFetchWaitMs()
    {
        return maxFetchWaitMs;
    }

    /**
     * @param ms how long partitions keep records unless their topic says otherwise; Long.MAX_VALUE for ever.
     * @return this for a fluent API.
     */
    public CoreContext retentionMs(final long ms)
    {
        this.retentionMs = ms;
        return this;
    }

    /**
     * @return the broker's default retention by time.
     */
    public long retentionMs()
    {
        return retentionMs;
    }

    /**
     * @param bytes how many bytes partitions keep at least unless their topic says otherwise; Long.MAX_VALUE for
     *              no limit.
     * @return this for a fluent API.
     */
    public CoreContext retentionBytes(final long bytes)
    {
        this.retentionBytes = bytes;
        return this;
    }

    /**
     * @return the broker's default retention by size.
     */
    public long retentionBytes()
    {
        return retentionBytes;
    }

    /**
     * @param ms time between two retention checks.
     * @return this for a fluent API.
     */
    public CoreContext retentionCheckIntervalMs(final long ms)
    {
        this.retentionCheckIntervalMs = ms;
        return this;
    }

    /**
     * @return time between two retention checks.
     */
    public long retentionCheckIntervalMs()
    {
        return retentionCheckIntervalMs;
    }

    /**
     * @param ms how long an idempotent producer may stay silent on a partition before the partition forgets it.
     * @return this for a fluent API.
     */
    public CoreContext producerIdExpirationMs(final long ms)
    {
        this.producerIdExpirationMs = ms;
        return this;
    }

    /**
     * @return how long an idle idempotent producer is remembered.
     */
    public long producerIdExpirationMs()
    {
        return producerIdExpirationMs;
    }

    /**
     * @param source the ACLs now, read by the core each duty cycle (publish a new object to change them); default:
     *               no authorization.
     * @return this for a fluent API.
     */
    public CoreContext acls(final Supplier<Acls> source)
    {
        this.acls = source;
        return this;
    }

    /**
     * @param source the reloadable settings now, read by the core each duty cycle (publish a new object to change
     *               them); null (the default) keeps those of this context.
     * @return this for a fluent API.
     */
    public CoreContext settings(final Supplier<CoreSettings> source)
    {
        this.settings = source;
        return this;
    }

    /**
     * @return the source of the reloadable settings, or null.
     */
    public Supplier<CoreSettings> settings()
    {
        return settings;
    }

    /**
     * @return the source of the ACLs.
     */
    public Supplier<Acls> acls()
    {
        return acls;
    }

    /**
     * @param minMs shortest session timeout a group member may ask for (default 500 ms).
     * @param maxMs longest (default 300 s).
     * @return this for a fluent API.
     */
    public CoreContext groupSessionTimeouts(final int minMs, final int maxMs)
    {
        this.groupMinSessionTimeoutMs = minMs;
        this.groupMaxSessionTimeoutMs = maxMs;
        return this;
    }

    /**
     * @return shortest session timeout a group member may ask for.
     */
    public int groupMinSessionTimeoutMs()
    {
        return groupMinSessionTimeoutMs;
    }

    /**
     * @return longest session timeout a group member may ask for.
     */
    public int groupMaxSessionTimeoutMs()
    {
        return groupMaxSessionTimeoutMs;
    }

    /**
     * @param link the cluster this broker is a node of, or null (the default) for none.
     * @return this.
     */
    public CoreContext replication(final ReplicationLink link)
    {
        this.replication = link;
        return this;
    }

    /**
     * @return the cluster this broker is a node of, or null.
     */
    public ReplicationLink replication()
    {
        return replication;
    }
}
