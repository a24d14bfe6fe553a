package io.portask.storage.writebehind;

import io.lettuce.core.RedisURI;
import io.portask.protocol.CounterFactory;
import io.portask.storage.DragonflyHandoff;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.File;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadFactory;

/**
 * Where and how the write-behind writes: the Dragonfly (any Redis-protocol server) endpoint and the agent's
 * limits. Fluent setters, validated by {@link #conclude()}.
 */
public final class DragonflyContext
{
    /** Default interval between probes of the server. */
    public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(1);

    private String host;
    private int port = 6379;
    private String user;
    private String password;
    private boolean tls;
    private int database;
    private int connections = 2;
    private Duration timeout = Duration.ofSeconds(2);
    private int maxWriteBytes = 256 * 1024;
    private Duration linger = Duration.ofMillis(5);
    private ThreadFactory ioThreads;
    private Duration probeInterval = DEFAULT_PROBE_INTERVAL;
    private int maxBatchLength = 1024 * 1024;
    private int failureThreshold = 3;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private String keyPrefix = "portask";
    private List<String> topics = List.of("*");
    private File dataDir;
    private CounterFactory counterFactory;
    private ErrorHandler errorHandler;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private List<PathMatcher> topicMatchers;
    private DragonflyHandoff handoff;

    /**
     * Check the settings.
     *
     * @return this for a fluent API.
     */
    public DragonflyContext conclude()
    {
        if (null == host || host.isBlank())
        {
            throw new IllegalStateException("DragonflyContext.host is not set");
        }
        if (port < 1 || port > 65535 || connections < 1 || database < 0 || failureThreshold < 1)
        {
            throw new IllegalStateException("port in [1, 65535], connections >= 1, database >= 0 and " +
                "failureThreshold >= 1 are required");
        }
        if (null == dataDir || null == counterFactory || null == errorHandler)
        {
            throw new IllegalStateException("DragonflyContext needs dataDir, counterFactory and errorHandler");
        }
        if (null == handoff)
        {
            handoff = new DragonflyHandoff(maxBatchLength);
        }
        topicMatchers = topics.stream().map(glob -> FileSystems.getDefault().getPathMatcher("glob:" + glob)).toList();
        return this;
    }

    /**
     * @return the endpoint as a Lettuce URI.
     */
    public RedisURI redisUri()
    {
        final RedisURI.Builder builder = RedisURI.builder()
            .withHost(host)
            .withPort(port)
            .withSsl(tls)
            .withDatabase(database)
            .withTimeout(timeout);
        if (null != password)
        {
            builder.withAuthentication(null == user ? "default" : user, password);
        }
        return builder.build();
    }

    /**
     * @param topic a topic name.
     * @return true when the topic's partitions are written behind.
     */
    public boolean isWrittenBehind(final String topic)
    {
        final Path path = Path.of(topic);
        return topicMatchers.stream().anyMatch(matcher -> matcher.matches(path));
    }

    /**
     * @param topic     topic name.
     * @param partition partition index.
     * @return the stream key of the partition.
     */
    public String streamKey(final String topic, final int partition)
    {
        return keyPrefix + ":stream:" + topic + ":" + partition;
    }

    /**
     * @param topic topic name.
     * @return the key of the topic's metadata hash (partitions, storage).
     */
    public String topicKey(final String topic)
    {
        return keyPrefix + ":topic:" + topic;
    }

    /** @param host Dragonfly host. @return this. */
    public DragonflyContext host(final String host)
    {
        this.host = host;
        return this;
    }

    /** @return Dragonfly host. */
    public String host()
    {
        return host;
    }

    /** @param port Dragonfly port. @return this. */
    public DragonflyContext port(final int port)
    {
        this.port = port;
        return this;
    }

    /** @return Dragonfly port. */
    public int port()
    {
        return port;
    }

    /** @param user ACL user, or null for "default". @return this. */
    public DragonflyContext user(final String user)
    {
        this.user = user;
        return this;
    }

    /** @param password or null for none. @return this. */
    public DragonflyContext password(final String password)
    {
        this.password = password;
        return this;
    }

    /** @param tls connect with TLS. @return this. */
    public DragonflyContext tls(final boolean tls)
    {
        this.tls = tls;
        return this;
    }

    /** @param database logical database index. @return this. */
    public DragonflyContext database(final int database)
    {
        this.database = database;
        return this;
    }

    /** @param count connections in the pool; a partition always uses the same one. @return this. */
    public DragonflyContext connections(final int count)
    {
        this.connections = count;
        return this;
    }

    /** @return connections in the pool. */
    public int connections()
    {
        return connections;
    }

    /** @param timeout per command; a slower answer counts as a failure. @return this. */
    public DragonflyContext timeout(final Duration timeout)
    {
        this.timeout = timeout;
        return this;
    }

    /** @return per command time-out. */
    public Duration timeout()
    {
        return timeout;
    }

    /** @param bytes most bytes of batches in one write. @return this. */
    public DragonflyContext maxWriteBytes(final int bytes)
    {
        this.maxWriteBytes = bytes;
        return this;
    }

    /** @return most bytes of batches in one write. */
    public int maxWriteBytes()
    {
        return maxWriteBytes;
    }

    /**
     * @param linger how long a partition's unsent batches may wait to be written together; 0 writes at once.
     * @return this.
     */
    public DragonflyContext linger(final Duration linger)
    {
        this.linger = linger;
        return this;
    }

    /** @return how long unsent batches may wait to be written together. */
    public Duration linger()
    {
        return linger;
    }

    /**
     * @param threads makes the Redis client's I/O and completion threads (placed on the write-behind's CPU by a
     *                placed broker), or null for the client's own.
     * @return this.
     */
    public DragonflyContext ioThreads(final ThreadFactory threads)
    {
        this.ioThreads = threads;
        return this;
    }

    /** @return what makes the Redis client's threads, or null for its own. */
    public ThreadFactory ioThreads()
    {
        return ioThreads;
    }

    /**
     * @param interval how often the server is asked who it is (INFO server), so that a restart that lost data
     *                 is noticed on idle partitions too.
     * @return this.
     */
    public DragonflyContext probeInterval(final Duration interval)
    {
        this.probeInterval = interval;
        return this;
    }

    /** @return how often the server is probed. */
    public Duration probeInterval()
    {
        return probeInterval;
    }

    /**
     * @param handoff where Dragonfly-only partitions hand batches over; made by {@link #conclude()} when not set.
     * @return this for a fluent API.
     */
    public DragonflyContext handoff(final DragonflyHandoff handoff)
    {
        this.handoff = handoff;
        return this;
    }

    /**
     * @return the handoff shared with the store (give it to {@code StorageContext.dragonflyHandoff}).
     */
    public DragonflyHandoff handoff()
    {
        return handoff;
    }

    /** @param bytes largest batch in the journals. @return this. */
    public DragonflyContext maxBatchLength(final int bytes)
    {
        this.maxBatchLength = bytes;
        return this;
    }

    /** @return largest batch in the journals. */
    public int maxBatchLength()
    {
        return maxBatchLength;
    }

    /** @param failures consecutive failures that open the circuit. @return this. */
    public DragonflyContext failureThreshold(final int failures)
    {
        this.failureThreshold = failures;
        return this;
    }

    /** @return consecutive failures that open the circuit. */
    public int failureThreshold()
    {
        return failureThreshold;
    }

    /** @param initial first open-circuit backoff. @param max longest. @return this. */
    public DragonflyContext backoff(final Duration initial, final Duration max)
    {
        this.initialBackoff = initial;
        this.maxBackoff = max;
        return this;
    }

    /** @return first open-circuit backoff. */
    public Duration initialBackoff()
    {
        return initialBackoff;
    }

    /** @return longest open-circuit backoff. */
    public Duration maxBackoff()
    {
        return maxBackoff;
    }

    /** @param prefix of every key written. @return this. */
    public DragonflyContext keyPrefix(final String prefix)
    {
        this.keyPrefix = prefix;
        return this;
    }

    /** @param globs topic name patterns written behind, e.g. "*" or "orders-*". @return this. */
    public DragonflyContext topics(final List<String> globs)
    {
        this.topics = List.copyOf(globs);
        return this;
    }

    /**
     * @param other settings to compare with.
     * @return true when both reach the same server the same way (endpoint, credentials, TLS, database, connections,
     *         timeout, probe interval) and write behind the same topics: what a running broker cannot change.
     */
    public boolean sameServer(final DragonflyContext other)
    {
        return host.equals(other.host) && port == other.port && java.util.Objects.equals(user, other.user) &&
            java.util.Objects.equals(password, other.password) && tls == other.tls && database == other.database &&
            connections == other.connections && timeout.equals(other.timeout) &&
            probeInterval.equals(other.probeInterval) && topics.equals(other.topics);
    }

    /** @return the topic name patterns written behind. */
    public List<String> topics()
    {
        return topics;
    }

    /** @param dir the broker's data folder, where checkpoints live beside the journals. @return this. */
    public DragonflyContext dataDir(final File dir)
    {
        this.dataDir = dir;
        return this;
    }

    /** @return the broker's data folder. */
    public File dataDir()
    {
        return dataDir;
    }

    /** @param factory allocates the write-behind counters. @return this. */
    public DragonflyContext counterFactory(final CounterFactory factory)
    {
        this.counterFactory = factory;
        return this;
    }

    /** @return allocates the write-behind counters. */
    public CounterFactory counterFactory()
    {
        return counterFactory;
    }

    /** @param handler records failures once each. @return this. */
    public DragonflyContext errorHandler(final ErrorHandler handler)
    {
        this.errorHandler = handler;
        return this;
    }

    /** @return records failures. */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /** @param clock for backoffs. @return this. */
    public DragonflyContext nanoClock(final NanoClock clock)
    {
        this.nanoClock = clock;
        return this;
    }

    /** @return clock for backoffs. */
    public NanoClock nanoClock()
    {
        return nanoClock;
    }
}
