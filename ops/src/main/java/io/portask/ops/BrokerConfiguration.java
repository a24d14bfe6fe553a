package io.portask.ops;

import io.portask.config.Configuration;
import io.portask.core.CoreContext;
import io.portask.core.ThreadingMode;
import io.portask.protocol.Frame;
import io.portask.storage.writebehind.DragonflyContext;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

import java.io.File;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * The broker's configuration keys and defaults. Each is read from, lowest first: defaults, the config file,
 * the environment (PORTASK_BROKER_PORT for portask.broker.port) and -D system properties.
 */
public final class BrokerConfiguration
{
    /** Address the TCP server listens on; loopback by default (anything else needs authentication configured). */
    public static final String BIND_PROP = "portask.broker.bind";
    /** TCP port. */
    public static final String PORT_PROP = "portask.broker.port";
    /** Folder for journals, topic definitions, offsets and the error log. */
    public static final String DATA_DIR_PROP = "portask.data.dir";
    /** SHARED, DEDICATED or INVOKER. */
    public static final String THREADING_MODE_PROP = "portask.threading.mode";
    /** backoff, busy-spin, yielding, sleeping or noop. */
    public static final String IDLE_STRATEGY_PROP = "portask.idle.strategy";
    /** The longest park of the backoff idle strategy, us: how long an IPC request (any, on the shared thread) waits. */
    public static final String IDLE_MAX_PARK_US_PROP = "portask.idle.max.park.us";
    /** Largest frame length field accepted. */
    public static final String MAX_FRAME_BYTES_PROP = "portask.max.frame.bytes";
    /** Capacity of each ring buffer between transport and core. */
    public static final String RING_BYTES_PROP = "portask.ring.bytes";
    /** Aeron directory of the embedded media driver (the counters file lives there). */
    public static final String AERON_DIR_PROP = "portask.aeron.dir";
    /** false: attach to an external Aeron media driver already running in portask.aeron.dir (tuned hosts). */
    public static final String AERON_EMBEDDED_PROP = "portask.aeron.embedded";
    /** Most bytes a memory-only partition holds. */
    public static final String MEMORY_PARTITION_BYTES_PROP = "portask.memory.partition.bytes";
    /** Most bytes the memory tier keeps of each journal partition; 0 turns the tier off. */
    public static final String TIER_PARTITION_BYTES_PROP = "portask.memory.tier.partition.bytes";
    /** Most bytes of all in-memory partition data (tier and memory-only topics) together. */
    public static final String MEMORY_TOTAL_BYTES_PROP = "portask.memory.total.bytes";
    /** Dragonfly (any Redis-protocol server) host; unset or empty turns write-behind off. */
    public static final String DRAGONFLY_HOST_PROP = "portask.dragonfly.host";
    /** Dragonfly port. */
    public static final String DRAGONFLY_PORT_PROP = "portask.dragonfly.port";
    /** Dragonfly ACL user (default "default" when a password is set). */
    public static final String DRAGONFLY_USER_PROP = "portask.dragonfly.user";
    /** Dragonfly password. */
    public static final String DRAGONFLY_PASSWORD_PROP = "portask.dragonfly.password";
    /** Connect to Dragonfly with TLS. */
    public static final String DRAGONFLY_TLS_PROP = "portask.dragonfly.tls";
    /** Dragonfly logical database. */
    public static final String DRAGONFLY_DATABASE_PROP = "portask.dragonfly.database";
    /** Connections the write-behind keeps to Dragonfly. */
    public static final String DRAGONFLY_CONNECTIONS_PROP = "portask.dragonfly.connections";
    /** Per-command time-out towards Dragonfly. */
    public static final String DRAGONFLY_TIMEOUT_MS_PROP = "portask.dragonfly.timeout.ms";
    /** How long a partition's unsent batches may wait to be written behind together. */
    public static final String WRITE_BEHIND_LINGER_MS_PROP = "portask.writebehind.linger.ms";
    /** The most bytes one write-behind write (XADDs to one stream) carries. */
    public static final String WRITE_BEHIND_MAX_WRITE_BYTES_PROP = "portask.writebehind.max.write.bytes";
    /** How often the write-behind asks Dragonfly who it is (detects a restart that lost data), ms. */
    public static final String DRAGONFLY_PROBE_INTERVAL_MS_PROP = "portask.dragonfly.probe.interval.ms";
    /** Comma-separated glob patterns of the journal topics written behind. */
    public static final String WRITE_BEHIND_TOPICS_PROP = "portask.writebehind.topics";
    /** Bytes a connection's unsent output may hold before pushes to it pause and reading from it stops. */
    public static final String CONNECTION_MAX_PENDING_BYTES_PROP = "portask.connection.max.pending.bytes";
    /** How long a connection's output may stay over that bound before the connection is closed. */
    public static final String CONNECTION_WRITE_TIMEOUT_MS_PROP = "portask.connection.write.timeout.ms";
    /** Longest a fetch may wait at the head of a partition. */
    public static final String MAX_FETCH_WAIT_MS_PROP = "portask.max.fetch.wait.ms";
    /** Default retention by time of every topic that has none of its own: 7d, 12h, 30m, 45s, ms, or unlimited. */
    public static final String RETENTION_MS_PROP = "portask.retention.ms";
    /** Default retention by size of every partition of a topic that has none of its own; unlimited by default. */
    public static final String RETENTION_BYTES_PROP = "portask.retention.bytes";
    /** Time between two retention checks of every partition. */
    public static final String RETENTION_CHECK_INTERVAL_MS_PROP = "portask.retention.check.interval.ms";
    /** How long an idempotent producer may stay silent on a partition before it is forgotten. */
    public static final String PRODUCER_ID_EXPIRATION_MS_PROP = "portask.producer.id.expiration.ms";
    /** Shortest session timeout a consumer group member may ask for (shorter ones are raised to it). */
    public static final String GROUP_MIN_SESSION_TIMEOUT_MS_PROP = "portask.group.min.session.timeout.ms";
    /** Longest session timeout a consumer group member may ask for (longer ones are cut to it). */
    public static final String GROUP_MAX_SESSION_TIMEOUT_MS_PROP = "portask.group.max.session.timeout.ms";
    /** How often a journal partition starts a new file, the unit retention deletes: daily, hourly, ... */
    public static final String JOURNAL_ROLL_CYCLE_PROP = "portask.journal.roll.cycle";

    /** Every key. */
    public static final Set<String> KEYS = union(TlsConfiguration.KEYS, SecurityConfiguration.KEYS, LogLevels.KEYS,
        TuningConfiguration.KEYS, ClusterConfiguration.KEYS,
        Set.of(BIND_PROP, PORT_PROP, DATA_DIR_PROP, THREADING_MODE_PROP, IDLE_STRATEGY_PROP, IDLE_MAX_PARK_US_PROP,
        MAX_FRAME_BYTES_PROP,
        RING_BYTES_PROP, AERON_DIR_PROP, AERON_EMBEDDED_PROP, MEMORY_PARTITION_BYTES_PROP, TIER_PARTITION_BYTES_PROP,
        MEMORY_TOTAL_BYTES_PROP, MAX_FETCH_WAIT_MS_PROP, DRAGONFLY_HOST_PROP, DRAGONFLY_PORT_PROP, DRAGONFLY_USER_PROP,
        DRAGONFLY_PASSWORD_PROP, DRAGONFLY_TLS_PROP, DRAGONFLY_DATABASE_PROP, DRAGONFLY_CONNECTIONS_PROP,
        DRAGONFLY_TIMEOUT_MS_PROP, WRITE_BEHIND_TOPICS_PROP, WRITE_BEHIND_LINGER_MS_PROP,
        WRITE_BEHIND_MAX_WRITE_BYTES_PROP, DRAGONFLY_PROBE_INTERVAL_MS_PROP, CONNECTION_MAX_PENDING_BYTES_PROP,
        CONNECTION_WRITE_TIMEOUT_MS_PROP, RETENTION_MS_PROP, RETENTION_BYTES_PROP, RETENTION_CHECK_INTERVAL_MS_PROP,
        JOURNAL_ROLL_CYCLE_PROP, PRODUCER_ID_EXPIRATION_MS_PROP, GROUP_MIN_SESSION_TIMEOUT_MS_PROP,
        GROUP_MAX_SESSION_TIMEOUT_MS_PROP));

    /** The roll cycles a journal may use, by config name. */
    private static final Map<String, RollCycle> ROLL_CYCLES = Map.of(
        "daily", RollCycles.FAST_DAILY, "hourly", RollCycles.FAST_HOURLY, "half-hourly", RollCycles.HALF_HOURLY,
        "ten-minutely", RollCycles.TEN_MINUTELY, "five-minutely", RollCycles.FIVE_MINUTELY,
        "test-secondly", TestRollCycles.TEST_SECONDLY);

    @SafeVarargs
    private static Set<String> union(final Set<String>... sets)
    {
        final Set<String> all = new java.util.HashSet<>();
        for (final Set<String> set : sets)
        {
            all.addAll(set);
        }
        return Set.copyOf(all);
    }

    /** Default port. */
    public static final int PORT_DEFAULT = 7070;

    private BrokerConfiguration()
    {
    }

    private static int maxPendingBytes(final Configuration config, final int maxFrame)
    {
        final int bytes = config.integer(CONNECTION_MAX_PENDING_BYTES_PROP, 4 << 20, 64 << 10, 1 << 30);
        if (bytes < maxFrame)
        {
            throw config.invalid(CONNECTION_MAX_PENDING_BYTES_PROP, Integer.toString(bytes),
                "at least " + MAX_FRAME_BYTES_PROP + " (" + maxFrame + ")");
        }
        return bytes;
    }

    /**
     * @param name a roll cycle's config name: daily, hourly, half-hourly, ten-minutely, five-minutely, test-secondly.
     * @return the roll cycle, or null when the name is unknown.
     */
    public static RollCycle rollCycle(final String name)
    {
        return ROLL_CYCLES.get(name);
    }

    private static RollCycle rollCycle(final Configuration config)
    {
        final String value = config.string(JOURNAL_ROLL_CYCLE_PROP, "daily");
        final RollCycle cycle = ROLL_CYCLES.get(value);
        if (null == cycle)
        {
            throw config.invalid(JOURNAL_ROLL_CYCLE_PROP, value,
                "daily, hourly, half-hourly, ten-minutely, five-minutely (test-secondly for tests)");
        }
        return cycle;
    }

    private static long tierBytes(final Configuration config)
    {
        final long bytes = config.longValue(TIER_PARTITION_BYTES_PROP, 16L << 20, 0, 1L << 40);
        if (bytes != 0 && bytes < 8L << 20)
        {
            throw config.invalid(TIER_PARTITION_BYTES_PROP, Long.toString(bytes), "0 (no tier) or at least 8m");
        }
        return bytes;
    }

    /**
     * Build a broker context from merged configuration, validating every value.
     *
     * @param config merged configuration.
     * @return a context ready to launch.
     */
    public static BrokerContext context(final Configuration config)
    {
        final File dataDir = new File(config.string(DATA_DIR_PROP, "data"));
        final ThreadingMode mode = config.enumValue(THREADING_MODE_PROP, ThreadingMode.class, ThreadingMode.SHARED);
        final IdleStrategyKind defaultIdle =
            ThreadingMode.DEDICATED == mode ? IdleStrategyKind.BUSY_SPIN : IdleStrategyKind.BACKOFF;
        final int maxFrame = config.integer(MAX_FRAME_BYTES_PROP, Frame.DEFAULT_MAX_FRAME_LENGTH, 4096, 64 << 20);
        final int ringBytes = config.integer(RING_BYTES_PROP, 16 << 20, 1 << 16, 1 << 30);
        if (Integer.bitCount(ringBytes) != 1)
        {
            throw config.invalid(RING_BYTES_PROP, Integer.toString(ringBytes), "a power of two");
        }
        if (ringBytes / 8 < maxFrame + 64)
        {
            throw config.invalid(RING_BYTES_PROP, Integer.toString(ringBytes),
                "at least 8 x (" + MAX_FRAME_BYTES_PROP + " + 64) = " + 8L * (maxFrame + 64));
        }
        final int minSession = config.integer(GROUP_MIN_SESSION_TIMEOUT_MS_PROP, 500, 100, 3_600_000);
        return new BrokerContext()
            .bindAddress(config.string(BIND_PROP, "127.0.0.1"))
            .port(config.integer(PORT_PROP, PORT_DEFAULT, -1, 65535))
            .tls(TlsConfiguration.settings(config))
            .auth(SecurityConfiguration.settings(config, config.string(BIND_PROP, "127.0.0.1"), dataDir))
            .acls(SecurityConfiguration.aclsEnabled(config), SecurityConfiguration.superUsers(config))
            .dataDir(dataDir)
            .threadingMode(mode)
            .idleStrategy(config.enumValue(IDLE_STRATEGY_PROP, IdleStrategyKind.class, defaultIdle))
            .idleMaxParkNs(1_000L * config.integer(IDLE_MAX_PARK_US_PROP, 1_000, 1, 100_000))
            .maxFrameLength(maxFrame)
            .ringBytes(ringBytes)
            .aeronDir(new File(config.string(AERON_DIR_PROP, new File(dataDir, "aeron").getPath())))
            .aeronEmbedded(config.bool(AERON_EMBEDDED_PROP, true))
            .memoryPartitionBytes(config.longValue(MEMORY_PARTITION_BYTES_PROP, 64L << 20, 8L << 20, 1L << 40))
            .tierPartitionBytes(tierBytes(config))
            .memoryTotalBytes(config.longValue(MEMORY_TOTAL_BYTES_PROP, 1L << 30, 8L << 20, 1L << 44))
            .maxFetchWaitMs(config.integer(MAX_FETCH_WAIT_MS_PROP, 30_000, 0, 600_000))
            .retentionMs(config.durationMs(RETENTION_MS_PROP, CoreContext.DEFAULT_RETENTION_MS))
            .retentionBytes(config.sizeOrUnlimited(RETENTION_BYTES_PROP, Long.MAX_VALUE))
            .retentionCheckIntervalMs(config.longValue(RETENTION_CHECK_INTERVAL_MS_PROP,
                CoreContext.DEFAULT_RETENTION_CHECK_INTERVAL_MS, 10, 3_600_000))
            .journalRollCycle(rollCycle(config))
            .producerIdExpirationMs(config.durationMs(PRODUCER_ID_EXPIRATION_MS_PROP, CoreContext.DEFAULT_RETENTION_MS))
            .groupSessionTimeouts(minSession, config.integer(GROUP_MAX_SESSION_TIMEOUT_MS_PROP, 300_000, minSession,
                3_600_000))
            .maxPendingBytes(maxPendingBytes(config, maxFrame))
            .writeTimeoutMs(config.integer(CONNECTION_WRITE_TIMEOUT_MS_PROP, 10_000, 100, 3_600_000))
            .logLevels(LogLevels.settings(config))
            .placement(TuningConfiguration.settings(config, config.string(BIND_PROP, "127.0.0.1")))
            .cluster(ClusterConfiguration.settings(config))
            .dragonfly(dragonfly(config));
    }

    /**
     * The Dragonfly settings, or null when no host is configured (write-behind off).
     *
     * @param config merged configuration.
     * @return the write-behind settings, not yet concluded, or null.
     */
    public static DragonflyContext dragonfly(final Configuration config)
    {
        final String host = config.string(DRAGONFLY_HOST_PROP, null);
        if (null == host)
        {
            return null;
        }
        final String topics = config.string(WRITE_BEHIND_TOPICS_PROP, "*");
        return new DragonflyContext()
            .host(host)
            .port(config.integer(DRAGONFLY_PORT_PROP, 6379, 1, 65535))
            .user(config.string(DRAGONFLY_USER_PROP, null))
            .password(config.string(DRAGONFLY_PASSWORD_PROP, null))
            .tls(config.bool(DRAGONFLY_TLS_PROP, false))
            .database(config.integer(DRAGONFLY_DATABASE_PROP, 0, 0, 1 << 16))
            .connections(config.integer(DRAGONFLY_CONNECTIONS_PROP, 2, 1, 64))
            .timeout(Duration.ofMillis(config.integer(DRAGONFLY_TIMEOUT_MS_PROP, 2_000, 10, 600_000)))
            .linger(Duration.ofMillis(config.integer(WRITE_BEHIND_LINGER_MS_PROP, 5, 0, 60_000)))
            .maxWriteBytes(config.integer(WRITE_BEHIND_MAX_WRITE_BYTES_PROP, 256 << 10, 4 << 10, 64 << 20))
            .probeInterval(Duration.ofMillis(config.integer(DRAGONFLY_PROBE_INTERVAL_MS_PROP, 1_000, 10, 600_000)))
            .topics(Arrays.stream(topics.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList());
    }
}
