package io.portask.ops.system;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.portask.client.Admin;
import io.portask.client.Consumer;
import io.portask.client.ConsumerRecord;
import io.portask.client.Producer;
import io.portask.client.TopicPartition;
import io.portask.ops.CountersFile;
import io.portask.ops.PortaskCommands;
import io.portask.protocol.RecordReader;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import io.portask.testsupport.FreePorts;
import io.portask.testsupport.RedisServer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real broker writing behind to a real redis-server, through outages of either, and a restore from it.
 */
class WriteBehindSystemTest
{
    private static final int PARTITIONS = 4;

    @TempDir
    Path dir;

    private RedisServer redis;
    private BrokerProcess broker;

    @AfterEach
    void stop()
    {
        if (null != broker)
        {
            broker.close();
        }
        if (null != redis)
        {
            redis.close();
        }
    }

    private BrokerProcess startBroker(final int port, final String... more) throws Exception
    {
        final List<String> args = new ArrayList<>(List.of("-Dportask.dragonfly.host=127.0.0.1",
            "-Dportask.dragonfly.port=" + redis.port(), "-Dportask.dragonfly.timeout.ms=500"));
        args.addAll(List.of(more));
        broker = new BrokerProcess(dir.resolve("data"), port, args.toArray(String[]::new)).start();
        return broker;
    }

    private static Map<String, Long> counters(final BrokerProcess broker)
    {
        return CountersFile.read(broker.dataDir().resolve("aeron").toFile());
    }

    private void awaitDrained(final String topic)
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true)
        {
            final Map<String, Long> counters = counters(broker);
            boolean drained = true;
            for (int p = 0; p < PARTITIONS; p++)
            {
                drained &= Long.valueOf(0).equals(counters.get("write-behind lag records: " + topic + "/" + p));
            }
            if (drained)
            {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "write-behind did not drain: " + counters);
            BrokerProcess.sleep(100);
        }
    }

    private Thread produceInBackground(final String topic, final AtomicBoolean running, final AtomicInteger sent)
    {
        final Thread thread = new Thread(() ->
        {
            try (Producer producer = Producer.builder(broker.bootstrap()).lingerMs(1).retries(5)
                .retryBackoffMs(50).deliveryTimeout(Duration.ofSeconds(5)).build())
            {
                while (running.get())
                {
                    final int i = sent.get();
                    producer.send(new TopicPartition(topic, i % PARTITIONS), null,
                        ("r" + i).getBytes(StandardCharsets.UTF_8), List.of()).join();
                    sent.incrementAndGet();
                }
            }
            catch (final RuntimeException ex)
            {
                // the broker was killed under us; what was acknowledged is checked afterwards
            }
        }, "load");
        thread.start();
        return thread;
    }

    private List<String> journalRecords(final String topic, final int partition, final long count)
    {
        try (Consumer consumer = Consumer.builder(broker.bootstrap()).build())
        {
            consumer.assign(new TopicPartition(topic, partition));
            final List<String> records = new ArrayList<>();
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < count && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(200)))
                {
                    records.add(record.offset() + "=" + record.valueAsString());
                }
            }
            return records;
        }
    }

    private List<String> streamRecords(final String topic, final int partition)
    {
        final RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", redis.port()));
        try (StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE))
        {
            final List<String> records = new ArrayList<>();
            for (final StreamMessage<byte[], byte[]> entry : connection.sync().xrange(
                ("portask:stream:" + topic + ":" + partition).getBytes(StandardCharsets.UTF_8), Range.create("-", "+")))
            {
                final byte[] batch = entry.getBody().entrySet().stream()
                    .filter(e -> "batch".equals(new String(e.getKey(), StandardCharsets.UTF_8)))
                    .findFirst().orElseThrow().getValue();
                final RecordReader reader = new RecordReader().wrap(new UnsafeBuffer(batch), 0, batch.length);
                while (reader.next())
                {
                    records.add(reader.offset() + "=" + new String(reader.value(), StandardCharsets.UTF_8));
                }
            }
            return records;
        }
        finally
        {
            client.shutdown();
        }
    }

    private void assertRedisEqualsJournal(final String topic)
    {
        try (Admin admin = Admin.connect(broker.bootstrap()))
        {
            for (int p = 0; p < PARTITIONS; p++)
            {
                final long end = admin.describeTopic(topic).partitions().get(p).highWatermark();
                final List<String> journal = journalRecords(topic, p, end);
                assertEquals(end, journal.size());
                assertEquals(journal, streamRecords(topic, p), "partition " + p + ": Redis equals the journal");
            }
        }
    }

    @Test
    void shouldPlaceTheRedisClientsThreadsBesideTheWriteBehindInAPlacedBroker() throws Exception
    {
        redis = new RedisServer(dir.resolve("redis"), null).start();
        final String cpu = Integer.toString(Runtime.getRuntime().availableProcessors() - 1);
        startBroker(FreePorts.next(), "-Dportask.threading.mode=dedicated", "-Dportask.idle.strategy=backoff",
            "-Dportask.cpu.writebehind=" + cpu);
        try (Admin admin = Admin.connect(broker.bootstrap());
            Producer producer = Producer.builder(broker.bootstrap()).build())
        {
            admin.createTopic("placed", PARTITIONS, StorageKind.JOURNAL);
            producer.sendSync(new TopicPartition("placed", 0), null, "one".getBytes(StandardCharsets.UTF_8),
                List.of());
        }
        awaitDrained("placed"); // written behind through those threads
        assertEquals(cpu, broker.cpusAllowed("portask-write-b"), broker.log()); // the kernel keeps 15 characters
        assertEquals(cpu, broker.cpusAllowed(io.portask.ops.Broker.REDIS_IO_THREAD_NAME),
            "the Redis client's threads run where the write-behind does");
    }

    @Test
    void shouldCatchUpAfterRedisAndBrokerCrashesUnderLoadThenRestoreALostJournal() throws Exception
    {
        redis = new RedisServer(dir.resolve("redis"), null).start();
        startBroker(FreePorts.next());
        try (Admin admin = Admin.connect(broker.bootstrap()))
        {
            admin.createTopic("wb", PARTITIONS, StorageKind.JOURNAL);
        }

        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger sent = new AtomicInteger();
        Thread load = produceInBackground("wb", running, sent);
        BrokerProcess.sleep(500);
        redis.kill();
        BrokerProcess.sleep(1_000);
        final Map<String, Long> during = counters(broker);
        assertTrue(during.get("write-behind errors") > 0, during.toString());
        final ByteArrayOutputStream errors = new ByteArrayOutputStream();
        assertEquals(0, PortaskCommands.run(new String[]{ "errors", "--data-dir", broker.dataDir().toString() },
            System.in, new PrintStream(errors, true, StandardCharsets.UTF_8), System.err));
        assertTrue(errors.toString(StandardCharsets.UTF_8).contains("write-behind"), "the outage is in the error log");
        assertTrue(sent.get() > 0, "the journal keeps accepting while Redis is down");
        redis.start();
        BrokerProcess.sleep(500);
        running.set(false);
        load.join();
        awaitDrained("wb");
        assertRedisEqualsJournal("wb");

        running.set(true);
        load = produceInBackground("wb", running, sent);
        BrokerProcess.sleep(700);
        final int port = broker.port();
        broker.kill();
        running.set(false);
        load.join();
        startBroker(port);
        awaitDrained("wb");
        assertRedisEqualsJournal("wb");
        final long[] ends = new long[PARTITIONS];
        try (Admin admin = Admin.connect(broker.bootstrap()))
        {
            for (int p = 0; p < PARTITIONS; p++)
            {
                ends[p] = admin.describeTopic("wb").partitions().get(p).highWatermark();
            }
        }

        broker.stop();
        deleteRecursively(dir.resolve("data/topics/wb"));
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setProperty("portask.data.dir", dir.resolve("data").toString());
        System.setProperty("portask.dragonfly.host", "127.0.0.1");
        System.setProperty("portask.dragonfly.port", Integer.toString(redis.port()));
        try
        {
            assertEquals(0, PortaskCommands.run(new String[]{ "storage", "restore", "--from-dragonfly", "wb" },
                System.in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)), err.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.clearProperty("portask.data.dir");
            System.clearProperty("portask.dragonfly.host");
            System.clearProperty("portask.dragonfly.port");
        }
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("batches"), "progress bar shown");
        startBroker(port);
        try (Admin admin = Admin.connect(broker.bootstrap()))
        {
            for (int p = 0; p < PARTITIONS; p++)
            {
                assertEquals(ends[p], admin.describeTopic("wb").partitions().get(p).highWatermark());
            }
        }
        assertRedisEqualsJournal("wb");
        awaitDrained("wb");
        assertEquals(0L, counters(broker).get("write-behind resyncs"), "restored checkpoints match the streams");
    }

    private static void deleteRecursively(final Path path) throws IOException
    {
        try (Stream<Path> walk = Files.walk(path))
        {
            for (final Path each : walk.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(each);
            }
        }
    }
}
