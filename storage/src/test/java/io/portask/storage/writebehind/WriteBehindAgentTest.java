package io.portask.storage.writebehind;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.portask.protocol.CounterFactory;
import io.portask.protocol.RecordBatch;
import io.portask.protocol.RecordBatchWriter;
import io.portask.protocol.sbe.StorageKind;
import io.portask.storage.ChronicleJournalLog;
import io.portask.storage.spi.TopicDescriptor;
import io.portask.testsupport.FreePorts;
import io.portask.testsupport.RedisServer;
import io.portask.testsupport.TestCounters;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The write-behind agent against a real redis-server, fed by real journals the way the core feeds it.
 */
class WriteBehindAgentTest
{
    private static final int PARTITIONS = 3;
    private static final TopicDescriptor TOPIC = new TopicDescriptor("orders", PARTITIONS, StorageKind.JOURNAL);

    @TempDir
    Path dir;

    private final CountersManager counters = new CountersManager(
        new UnsafeBuffer(ByteBuffer.allocateDirect(1024 * 1024)),
        new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)));
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final UnsafeBuffer batch = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
    private final ChronicleJournalLog[] logs = new ChronicleJournalLog[PARTITIONS];
    private final AtomicCounter[] highWatermarks = new AtomicCounter[PARTITIONS];
    private final AtomicCounter[] bytesAppended = new AtomicCounter[PARTITIONS];
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private WriteBehindAgent agent;
    private int appended;

    @AfterEach
    void close() throws Exception
    {
        if (null != agent)
        {
            agent.onClose();
        }
        for (final ChronicleJournalLog log : logs)
        {
            if (null != log)
            {
                log.close();
            }
        }
        for (final AutoCloseable closeable : closeables)
        {
            closeable.close();
        }
    }

    private RedisServer redis(final String password) throws Exception
    {
        final RedisServer redis = new RedisServer(dir.resolve("redis"), password).start();
        closeables.add(redis);
        return redis;
    }

    private WriteBehindAgent agent(final int port, final String password, final Duration timeout)
    {
        return new WriteBehindAgent(new DragonflyContext()
            .host("127.0.0.1")
            .port(port)
            .password(password)
            .timeout(timeout)
            .failureThreshold(2)
            .backoff(Duration.ofMillis(50), Duration.ofMillis(400))
            .dataDir(dir.toFile())
            .counterFactory(CounterFactory.of(counters))
            .errorHandler(errors::add));
    }

    private void openPartitions(final WriteBehindAgent agent)
    {
        for (int p = 0; p < PARTITIONS; p++)
        {
            if (null == logs[p])
            {
                logs[p] = ChronicleJournalLog.open(
                    dir.resolve("topics/orders/" + p).toFile(), "orders/" + p, 1 << 20, null);
                highWatermarks[p] = counters.newCounter("hwm " + p);
                bytesAppended[p] = counters.newCounter("bytes " + p);
            }
            highWatermarks[p].set(logs[p].highWatermark());
            bytesAppended[p].set(0);
            agent.onPartitionOpened(TOPIC, p, logs[p], highWatermarks[p], bytesAppended[p]);
        }
    }

    private void append(final int batchesPerPartition)
    {
        for (int i = 0; i < batchesPerPartition; i++)
        {
            for (int p = 0; p < PARTITIONS; p++)
            {
                final RecordBatchWriter writer = new RecordBatchWriter().reset(batch, 0, batch.capacity());
                final int records = 1 + (appended + p) % 4;
                for (int r = 0; r < records; r++)
                {
                    writer.append(System.currentTimeMillis(), null,
                        ("p" + p + "-" + appended + "-" + r).getBytes(StandardCharsets.UTF_8));
                }
                final int length = writer.seal();
                logs[p].append(batch, 0, length);
                bytesAppended[p].getAndAdd(length);
                highWatermarks[p].set(logs[p].highWatermark());
            }
            appended++;
        }
    }

    private long counter(final String label)
    {
        return TestCounters.value(counters, label);
    }

    private boolean drained()
    {
        for (int p = 0; p < PARTITIONS; p++)
        {
            if (counter("write-behind lag records: orders/" + p) != 0 ||
                counter("write-behind lag bytes: orders/" + p) != 0)
            {
                return false;
            }
        }
        return true;
    }

    private void runUntil(final BooleanSupplier condition, final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("condition not met in " + timeout + "; errors: " + errors);
            }
            if (0 == agent.doWork())
            {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
    }

    private void runFor(final Duration duration)
    {
        final long until = System.nanoTime() + duration.toNanos();
        runUntil(() -> System.nanoTime() > until, duration.plusSeconds(5));
    }

    private void assertStreamsEqualJournals(final int port, final String password)
    {
        final RedisURI.Builder uri = RedisURI.builder().withHost("127.0.0.1").withPort(port);
        if (null != password)
        {
            uri.withPassword(password.toCharArray());
        }
        final RedisClient client = RedisClient.create(uri.build());
        try (StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE))
        {
            final UnsafeBuffer journal = new UnsafeBuffer(ByteBuffer.allocateDirect(16 << 20));
            for (int p = 0; p < PARTITIONS; p++)
            {
                final List<StreamMessage<byte[], byte[]>> entries = connection.sync()
                    .xrange(("portask:stream:orders:" + p).getBytes(StandardCharsets.UTF_8), Range.create("-", "+"));
                final int length = logs[p].read(0, Integer.MAX_VALUE, journal, 0, journal.capacity());
                int position = 0;
                for (final StreamMessage<byte[], byte[]> entry : entries)
                {
                    final long base = RecordBatch.baseOffset(journal, position);
                    final int count = RecordBatch.recordCount(journal, position);
                    final int batchLength = RecordBatch.batchLength(journal, position);
                    assertEquals(base + "-" + count, entry.getId(), "partition " + p);
                    final byte[] expected = new byte[batchLength];
                    journal.getBytes(position, expected);
                    final byte[] stored = entry.getBody().entrySet().stream()
                        .filter(e -> "batch".equals(new String(e.getKey(), StandardCharsets.UTF_8)))
                        .findFirst().orElseThrow().getValue();
                    assertArrayEquals(expected, stored, "partition " + p + " entry " + entry.getId());
                    position += batchLength;
                }
                assertEquals(length, position, "partition " + p + ": the stream holds every journal batch");
            }
        }
        finally
        {
            client.shutdown();
        }
    }

    @Test
    void shouldWriteEveryBatchBehindInOrderAcrossPartitions() throws Exception
    {
        final RedisServer redis = redis(null);
        agent = agent(redis.port(), null, Duration.ofSeconds(2));
        openPartitions(agent);
        append(300);
        runUntil(this::drained, Duration.ofSeconds(30));
        assertStreamsEqualJournals(redis.port(), null);
        long records = 0;
        for (final ChronicleJournalLog log : logs)
        {
            records += log.highWatermark();
        }
        assertEquals(records, counter("write-behind records"));
        assertEquals(0, counter("write-behind errors"));
    }

    @Test
    void shouldTakeANewLingerAndLargestWriteWhileRunning() throws Exception
    {
        final RedisServer redis = redis(null);
        agent = agent(redis.port(), null, Duration.ofSeconds(2));
        openPartitions(agent);
        append(10);
        runUntil(this::drained, Duration.ofSeconds(30));

        agent.tune(Duration.ofHours(1), 64 << 10);
        append(1);
        runFor(Duration.ofMillis(300));
        assertFalse(drained(), "an hour's linger holds a few small batches back");

        agent.tune(Duration.ZERO, 8 << 20);
        append(300);
        runUntil(this::drained, Duration.ofSeconds(30));
        assertStreamsEqualJournals(redis.port(), null);
        assertEquals(0, counter("write-behind errors"));
    }

    @Test
    void shouldCatchUpAfterRedisIsKilledAndRestartedEmpty() throws Exception
    {
        final RedisServer redis = redis(null);
        agent = agent(redis.port(), null, Duration.ofMillis(500));
        openPartitions(agent);
        append(100);
        runUntil(this::drained, Duration.ofSeconds(30));

        redis.kill();
        boolean sawOpen = false;
        for (int i = 0; i < 20; i++)
        {
            append(10);
            runFor(Duration.ofMillis(50));
            sawOpen |= CircuitBreaker.CLOSED != agent.circuitState();
        }
        assertTrue(sawOpen, "the circuit opens while Redis is down");
        assertTrue(counter("write-behind errors") > 0);
        assertTrue(counter("write-behind lag records: orders/0") > 0);
        assertTrue(errors.stream().anyMatch(e -> e.getMessage().contains("orders")), errors.toString());

        redis.start();
        runUntil(this::drained, Duration.ofSeconds(30));
        assertStreamsEqualJournals(redis.port(), null);
        assertTrue(counter("write-behind resyncs") >= PARTITIONS, "restarted empty: every stream is rewritten");
    }

    @Test
    void shouldRewriteIdlePartitionsAfterRedisRestartsEmpty() throws Exception
    {
        final RedisServer redis = redis(null);
        agent = agent(redis.port(), null, Duration.ofMillis(500));
        openPartitions(agent);
        append(40);
        runUntil(this::drained, Duration.ofSeconds(30));
        assertStreamsEqualJournals(redis.port(), null);
        final long resyncsBefore = counter("write-behind resyncs");
        errors.clear();

        redis.kill();
        redis.start();
        final long restartedNs = System.nanoTime();
        // the bound the docs state: one probe interval plus one request time-out, then the rewrite itself
        final Duration bound = DragonflyContext.DEFAULT_PROBE_INTERVAL.plus(Duration.ofMillis(500));
        final long[] nextCheckNs = { 0 };
        runUntil(() ->
        {
            if (System.nanoTime() - nextCheckNs[0] < 0)
            {
                return false;
            }
            nextCheckNs[0] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            return streamsEqualJournals(redis.port());
        }, bound.plusSeconds(10));
        final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedNs);
        assertTrue(tookMs <= bound.toMillis() + 2_000, "rewritten " + tookMs + " ms after the restart");
        assertEquals(resyncsBefore + PARTITIONS, counter("write-behind resyncs"), "every idle stream is rewritten");
        assertEquals(1, counter("write-behind data losses"), "the loss is counted once");
        assertEquals(1, errors.stream().filter(e -> e.getMessage().contains("lost")).count(),
            "the loss is recorded once: " + errors);
        assertStreamsEqualJournals(redis.port(), null);

        runFor(Duration.ofMillis(1500));
        assertEquals(resyncsBefore + PARTITIONS, counter("write-behind resyncs"), "a sound server is left alone");
    }

    private boolean streamsEqualJournals(final int port)
    {
        try
        {
            assertStreamsEqualJournals(port, null);
            return true;
        }
        catch (final AssertionError | RuntimeException notYet)
        {
            return false;
        }
    }

    @Test
    void shouldResumeFromCheckpointWithoutRewriting() throws Exception
    {
        final RedisServer redis = redis(null);
        agent = agent(redis.port(), null, Duration.ofSeconds(2));
        openPartitions(agent);
        append(50);
        runUntil(this::drained, Duration.ofSeconds(30));
        final long before = counter("write-behind records");
        agent.onClose();

        agent = agent(redis.port(), null, Duration.ofSeconds(2));
        openPartitions(agent);
        append(5);
        runUntil(this::drained, Duration.ofSeconds(30));
        assertStreamsEqualJournals(redis.port(), null);
        long added = 0;
        for (int p = 0; p < PARTITIONS; p++)
        {
            for (int i = 50; i < 55; i++)
            {
                added += 1 + (i + p) % 4;
            }
        }
        assertEquals(0, counter("write-behind resyncs"), "the checkpoint matched the stream");
        assertTrue(before > 0);
        assertEquals(added, counter("write-behind records"), "only the new batches are written");
    }

    @Test
    void shouldOpenCircuitWhenAuthenticationIsRefusedAndKeepJournalAccepting() throws Exception
    {
        final RedisServer redis = redis("secret");
        agent = agent(redis.port(), "wrong", Duration.ofSeconds(1));
        openPartitions(agent);
        boolean sawOpen = false;
        for (int i = 0; i < 20; i++)
        {
            append(5);
            runFor(Duration.ofMillis(50));
            sawOpen |= CircuitBreaker.OPEN == agent.circuitState();
        }
        assertTrue(sawOpen);
        assertTrue(errors.stream().anyMatch(e -> e.getMessage().contains("cannot connect to Dragonfly")),
            errors.toString());
        assertEquals(logs[0].highWatermark(), counter("write-behind lag records: orders/0"),
            "nothing confirmed: everything appended is lag");
        assertEquals(0, counter("write-behind records"));
    }

    @Test
    void shouldOpenCircuitWhenNothingListens() throws Exception
    {
        agent = agent(FreePorts.next(), null, Duration.ofMillis(300));
        openPartitions(agent);
        append(3);
        runUntil(() -> CircuitBreaker.OPEN == agent.circuitState(), Duration.ofSeconds(10));
        assertTrue(counter("write-behind errors") >= 2);
    }

    @Test
    void shouldRideOutASlowServer() throws Exception
    {
        final RedisServer redis = redis(null);
        agent = agent(redis.port(), null, Duration.ofMillis(200));
        openPartitions(agent);
        append(20);
        runUntil(this::drained, Duration.ofSeconds(30));

        try (java.net.Socket sleeper = new java.net.Socket("127.0.0.1", redis.port()))
        {
            sleeper.getOutputStream().write("DEBUG SLEEP 3\r\n".getBytes(StandardCharsets.UTF_8));
            append(20);
            runFor(Duration.ofMillis(1200));
            assertTrue(counter("write-behind errors") > 0, "writes time out while the server sleeps");
            assertTrue(0 != agent.circuitState(), "the circuit is open or probing while the server sleeps");
        }
        runUntil(this::drained, Duration.ofSeconds(30));
        assertStreamsEqualJournals(redis.port(), null);
    }
}
