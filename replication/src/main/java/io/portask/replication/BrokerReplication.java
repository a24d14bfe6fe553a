package io.portask.replication;

import io.aeron.Aeron;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.portask.core.ReplicationLink;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A broker's link to the cluster it is a node of, both ways:
 * <ul>
 *     <li>as the {@link CommittedLog} of this node's {@link ReplicatedService}: the committed log crosses a ring
 *     buffer to the broker's core, which applies it to its journals ({@link ReplicationLink.Applier});</li>
 *     <li>as the core's {@link ReplicationLink}: an Aeron Cluster client session (driven from the core's duty
 *     cycle, connecting and reconnecting without blocking) offers the leader's writes to the cluster's ingress and
 *     brings back the answers; the session's leader id says who leads.</li>
 * </ul>
 * Ring messages (little-endian): type 1 append (partition int32, base offset int64, topic length int16, topic,
 * batch), 2 create (partitions int32, retention ms and bytes int64, topic), 3 sync (number int64), 4 commit
 * (partition int32, offset int64, topic length int16, topic, group).
 * <p>
 * Threading: the {@link CommittedLog} side on the service container's thread, the {@link ReplicationLink} side on
 * the core's; they share only the ring and {@link #synced}.
 */
public final class BrokerReplication implements CommittedLog, ReplicationLink
{
    private static final int APPEND = 1;
    private static final int CREATE = 2;
    private static final int SYNC = 3;
    private static final int COMMIT = 4;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final long KEEP_ALIVE_NS = TimeUnit.SECONDS.toNanos(1);
    /** Between two connection attempts: each that reaches the leader holds a session slot until it times out. */
    private static final long RECONNECT_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(500);

    private final int memberId;
    private final List<String> brokerAddresses;
    private final String host;
    private final String ingressEndpoints;
    private final ErrorHandler errorHandler;
    private final OneToOneRingBuffer ring;
    private final ExpandableDirectByteBuffer message = new ExpandableDirectByteBuffer(64 * 1024);
    private final UnsafeBuffer topicView = new UnsafeBuffer(0, 0);
    private final MessageHandler ringHandler = this::onRingMessage;
    private final EgressListener egress = (sessionId, timestamp, buffer, offset, length, header) ->
        this.applier.onAnswer(buffer.getLong(offset, ORDER), buffer.getLong(offset + 8, ORDER));
    private volatile long synced;
    private volatile long logPosition = -1;
    private volatile boolean closed;
    private long syncsRequested;
    private volatile Aeron aeron;
    private volatile ClusterNode node;
    private AeronCluster.AsyncConnect connecting;
    private AeronCluster cluster;
    private Applier applier;
    private long nextKeepAliveNs;
    private long nextConnectNs;

    /**
     * @param memberId        this node's member id.
     * @param brokerAddresses every node's broker client address (host:port), by member id.
     * @param basePort        the cluster's first port ({@link ClusterNode}).
     * @param ringBytes       the ring's capacity to the core (a power of two, at least 8 x the largest batch).
     * @param errorHandler    told of connection failures.
     */
    public BrokerReplication(
        final int memberId,
        final List<String> brokerAddresses,
        final int basePort,
        final int ringBytes,
        final ErrorHandler errorHandler)
    {
        this.memberId = memberId;
        this.brokerAddresses = List.copyOf(brokerAddresses);
        final List<String> hosts = hosts(brokerAddresses);
        this.host = hosts.get(memberId);
        this.ingressEndpoints = ClusterNode.ingressEndpoints(hosts, basePort);
        this.errorHandler = errorHandler;
        this.ring = new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(ringBytes + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    /**
     * @param brokerAddresses host:port by member id.
     * @return the hosts, by member id.
     */
    public static List<String> hosts(final List<String> brokerAddresses)
    {
        return brokerAddresses.stream().map(address -> address.substring(0, address.lastIndexOf(':'))).toList();
    }

    /**
     * Connect the cluster client through this node's media driver, once the node is up.
     *
     * @param node the node, started.
     */
    public void start(final ClusterNode node)
    {
        this.node = node;
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(node.aeronDirectoryName()));
    }

    // ---- CommittedLog: the service container's thread ----

    /**
     * {@inheritDoc}
     */
    public void onCreateTopic(final String name, final int partitions, final long retentionMs,
        final long retentionBytes)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        final int length = 20 + bytes.length;
        final int index = claim(CREATE, length);
        if (index < 0)
        {
            return;
        }
        final MutableDirectBuffer buffer = ring.buffer();
        buffer.putInt(index, partitions, ORDER);
        buffer.putLong(index + 4, retentionMs, ORDER);
        buffer.putLong(index + 12, retentionBytes, ORDER);
        buffer.putBytes(index + 20, bytes);
        ring.commit(index);
    }

    /**
     * {@inheritDoc}
     */
    public void onAppend(
        final DirectBuffer topic, final int topicOffset, final int topicLength, final int partition,
        final long baseOffset, final DirectBuffer batch, final int batchOffset, final int batchLength)
    {
        final int index = claim(APPEND, 14 + topicLength + batchLength);
        if (index < 0)
        {
            return;
        }
        final MutableDirectBuffer buffer = ring.buffer();
        buffer.putInt(index, partition, ORDER);
        buffer.putLong(index + 4, baseOffset, ORDER);
        buffer.putShort(index + 12, (short)topicLength, ORDER);
        buffer.putBytes(index + 14, topic, topicOffset, topicLength);
        buffer.putBytes(index + 14 + topicLength, batch, batchOffset, batchLength);
        ring.commit(index);
    }

    /**
     * {@inheritDoc}
     */
    public void onCommit(final String group, final String topic, final int partition, final long offset)
    {
        final byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
        final byte[] groupBytes = group.getBytes(StandardCharsets.UTF_8);
        final int index = claim(COMMIT, 14 + topicBytes.length + groupBytes.length);
        if (index < 0)
        {
            return;
        }
        final MutableDirectBuffer buffer = ring.buffer();
        buffer.putInt(index, partition, ORDER);
        buffer.putLong(index + 4, offset, ORDER);
        buffer.putShort(index + 12, (short)topicBytes.length, ORDER);
        buffer.putBytes(index + 14, topicBytes);
        buffer.putBytes(index + 14 + topicBytes.length, groupBytes);
        ring.commit(index);
    }

    /**
     * {@inheritDoc}
     */
    public void onLogPosition(final long position)
    {
        logPosition = position;
    }

    /**
     * {@inheritDoc}
     */
    public void sync()
    {
        final long number = ++syncsRequested;
        final int index = claim(SYNC, 8);
        if (index < 0)
        {
            return;
        }
        ring.buffer().putLong(index, number, ORDER);
        ring.commit(index);
        while (synced < number && !closed)
        {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
    }

    /**
     * Claim ring space, waiting while the core catches up.
     *
     * @return the index to write at, or -1 when the broker is closing.
     */
    private int claim(final int type, final int length)
    {
        int index;
        while ((index = ring.tryClaim(type, length)) < 0)
        {
            if (closed)
            {
                return -1;
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
        }
        return index;
    }

    // ---- ReplicationLink: the core's thread ----

    /**
     * {@inheritDoc}
     */
    public int memberId()
    {
        return memberId;
    }

    /**
     * {@inheritDoc}
     */
    public long logPosition()
    {
        return logPosition;
    }

    /**
     * This node's consensus module says whether it leads; otherwise the client session's view, while its ingress
     * is connected (a session waiting for a new leader still names the old one, maybe dead: then none is known).
     * <p>
     * {@inheritDoc}
     */
    public int leaderMemberId()
    {
        final ClusterNode started = node;
        if (null != started && started.isLeader())
        {
            return memberId;
        }
        return null == cluster || cluster.isClosed() || !cluster.ingressPublication().isConnected() ||
            cluster.leaderMemberId() == memberId ? -1 : cluster.leaderMemberId();
    }

    private boolean offer(final int length)
    {
        return cluster.offer(message, 0, length) > 0;
    }

    /**
     * The caller has seen {@link #leaderMemberId()} name this node; the session must know it too: until it has
     * learned of the new leader its ingress still points at the old one (connected for a while after that one
     * died), and an offer there would be lost — the write would wait out its time-out (10 s) instead of being
     * refused at once and retried.
     *
     * @return true when this node's client session sends to it.
     */
    private boolean canOffer()
    {
        return null != cluster && !cluster.isClosed() && cluster.leaderMemberId() == memberId &&
            cluster.ingressPublication().isConnected();
    }

    /**
     * {@inheritDoc}
     */
    public String leaderAddress()
    {
        final int leader = leaderMemberId();
        return leader >= 0 && leader < brokerAddresses.size() ? brokerAddresses.get(leader) : "";
    }

    /**
     * {@inheritDoc}
     */
    public boolean offerAppend(
        final long requestId, final byte[] topic, final int partition, final long producerId, final long sequence,
        final DirectBuffer batch, final int offset, final int length)
    {
        return canOffer() && offer(ReplicatedAppend.encode(
            message, requestId, producerId, sequence, topic, partition, batch, offset, length));
    }

    /**
     * {@inheritDoc}
     */
    public boolean offerCreateTopic(
        final long requestId, final String topic, final int partitions, final long retentionMs,
        final long retentionBytes)
    {
        return canOffer() && offer(ReplicatedAppend.encodeCreate(
            message, requestId, topic, partitions, retentionMs, retentionBytes));
    }

    /**
     * {@inheritDoc}
     */
    public boolean offerCommit(
        final long requestId, final String group, final String topic, final int partition, final long offset)
    {
        return canOffer() && offer(ReplicatedAppend.encodeCommit(message, requestId, group, topic, partition, offset));
    }

    /**
     * {@inheritDoc}
     */
    public int poll(final Applier applier, final long nowNs)
    {
        this.applier = applier;
        int work = ring.read(ringHandler, 64);
        if (null != cluster && !cluster.isClosed())
        {
            work += cluster.pollEgress();
            if (nowNs - nextKeepAliveNs >= 0)
            {
                nextKeepAliveNs = nowNs + KEEP_ALIVE_NS;
                cluster.sendKeepAlive();
            }
            return work;
        }
        return work + connect(nowNs);
    }

    /**
     * Drive the client's connection one step: start one, or finish it; a closed session is replaced.
     */
    private int connect(final long nowNs)
    {
        if (null == aeron || closed)
        {
            return 0;
        }
        if (null != cluster)
        {
            CloseHelper.quietClose(cluster);
            cluster = null;
        }
        if (null == connecting && nowNs - nextConnectNs < 0)
        {
            return 0;
        }
        try
        {
            if (null == connecting)
            {
                nextConnectNs = nowNs + RECONNECT_BACKOFF_NS;
                connecting = AeronCluster.asyncConnect(new AeronCluster.Context()
                    .aeron(aeron)
                    .ownsAeronClient(false)
                    .egressListener(egress)
                    .egressChannel("aeron:udp?endpoint=" + host + ":0")
                    .ingressChannel("aeron:udp?term-length=16m")
                    .ingressEndpoints(ingressEndpoints)
                    .messageTimeoutNs(TimeUnit.SECONDS.toNanos(5)));
            }
            cluster = connecting.poll();
            if (null != cluster)
            {
                connecting = null;
                return 1;
            }
        }
        catch (final RuntimeException ex)
        {
            // no leader yet, or the one it found failed: try again on the next cycle
            CloseHelper.quietClose(connecting);
            connecting = null;
            if (!(ex instanceof io.aeron.exceptions.TimeoutException))
            {
                errorHandler.onError(ex);
            }
        }
        return 0;
    }

    private void onRingMessage(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        switch (type)
        {
            case APPEND ->
            {
                final int topicLength = buffer.getShort(index + 12, ORDER);
                topicView.wrap(buffer, index + 14, topicLength);
                applier.onAppend(topicView, 0, topicLength, buffer.getInt(index, ORDER),
                    buffer.getLong(index + 4, ORDER), buffer, index + 14 + topicLength, length - 14 - topicLength);
            }
            case CREATE -> applier.onCreateTopic(buffer.getStringWithoutLengthUtf8(index + 20, length - 20),
                buffer.getInt(index, ORDER), buffer.getLong(index + 4, ORDER), buffer.getLong(index + 12, ORDER));
            case COMMIT ->
            {
                final int topicLength = buffer.getShort(index + 12, ORDER);
                applier.onCommit(buffer.getStringWithoutLengthUtf8(index + 14 + topicLength, length - 14 - topicLength),
                    buffer.getStringWithoutLengthUtf8(index + 14, topicLength), buffer.getInt(index, ORDER),
                    buffer.getLong(index + 4, ORDER));
            }
            case SYNC ->
            {
                applier.onSync();
                synced = buffer.getLong(index, ORDER);
            }
            default -> throw new IllegalStateException("unknown ring message " + type);
        }
    }

    /**
     * Stop: the service stops waiting on the core, the client session closes.
     */
    public void close()
    {
        closed = true;
    }

    /**
     * Close the client session and its Aeron client; after the core stopped.
     */
    public void closeClient()
    {
        CloseHelper.quietCloseAll(connecting, cluster, aeron);
        connecting = null;
        cluster = null;
        aeron = null;
    }
}
