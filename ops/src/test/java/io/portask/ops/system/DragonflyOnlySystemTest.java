package io.portask.ops.system;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.portask.client.Admin;
import io.portask.client.Consumer;
import io.portask.client.ConsumerRecord;
import io.portask.client.OffsetReset;
import io.portask.client.PortaskException;
import io.portask.client.Producer;
import io.portask.client.RebalanceListener;
import io.portask.client.RecordMetadata;
import io.portask.client.TopicPartition;
import io.portask.ops.PortaskCommands;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import io.portask.testsupport.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Topics stored in Dragonfly only: acked after Dragonfly confirms, resumed from Dragonfly after a restart.
 */
class DragonflyOnlySystemTest
{
    @TempDir
    Path dir;

    private static long streamLength(final RedisServer redis, final String key)
    {
        final RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", redis.port()));
        try (StatefulRedisConnection<String, String> connection = client.connect())
        {
            return connection.sync().xlen(key);
        }
        finally
        {
            client.shutdown();
        }
    }

    @Test
    void shouldAckOnlyWhatDragonflyHoldsAndResumeFromIt() throws Exception
    {
        try (RedisServer redis = new RedisServer(dir.resolve("redis"), null).start())
        {
            final String[] dragonfly = { "-Dportask.dragonfly.host=127.0.0.1",
                "-Dportask.dragonfly.port=" + redis.port(), "-Dportask.writebehind.linger.ms=0" };
            final BrokerProcess first = new BrokerProcess(dir.resolve("data"), dragonfly).start();
            try (Admin admin = Admin.connect(first.bootstrap());
                Producer producer = Producer.builder(first.bootstrap()).build())
            {
                admin.createTopic("df", 1, StorageKind.DRAGONFLY);
                assertEquals(StorageKind.DRAGONFLY, admin.describeTopic("df").storage());
                for (int i = 0; i < 20; i++)
                {
                    final RecordMetadata stored = producer.sendSync("df", null, "v" + i);
                    assertEquals(i, stored.offset());
                    assertEquals(i + 1, streamLength(redis, "portask:stream:df:0"),
                        "acknowledged means Dragonfly holds it");
                }
            }
            try (Consumer consumer = Consumer.builder(first.bootstrap()).build())
            {
                consumer.assign(new TopicPartition("df", 0));
                final List<ConsumerRecord> records = BrokerSystemTest.pollUntil(consumer, 20);
                assertEquals("v19", records.get(19).valueAsString());
            }
            final int port = first.port();
            first.stop();

            try (BrokerProcess second = new BrokerProcess(dir.resolve("data"), port, dragonfly).start();
                Admin admin = Admin.connect(second.bootstrap());
                Producer producer = Producer.builder(second.bootstrap()).build();
                Consumer consumer = Consumer.builder(second.bootstrap()).autoOffsetReset(OffsetReset.NONE).build())
            {
                assertEquals(20, admin.describeTopic("df").partitions().get(0).highWatermark(),
                    "offsets resume where the stream ends");
                assertEquals(20, producer.sendSync("df", null, "after").offset());
                final TopicPartition tp = new TopicPartition("df", 0);
                consumer.assign(tp);
                consumer.seek(tp, 0);
                // memory starts empty at 20 after the restart: 0-19 are read back from the stream
                final List<ConsumerRecord> records = BrokerSystemTest.pollUntil(consumer, 21);
                for (int i = 0; i < 20; i++)
                {
                    assertEquals(i, records.get(i).offset());
                    assertEquals("v" + i, records.get(i).valueAsString());
                }
                assertEquals("after", records.get(20).valueAsString());
                consumer.seek(tp, 7);
                assertEquals("v7", BrokerSystemTest.pollUntil(consumer, 14).get(0).valueAsString());
            }
        }
    }

    @Test
    void shouldHoldAcksWhileDragonflyIsDownAndRecordItsLoss() throws Exception
    {
        try (RedisServer redis = new RedisServer(dir.resolve("redis"), null).start();
            BrokerProcess broker = new BrokerProcess(dir.resolve("data"), "-Dportask.dragonfly.host=127.0.0.1",
                "-Dportask.dragonfly.port=" + redis.port(), "-Dportask.dragonfly.timeout.ms=500").start();
            Admin admin = Admin.connect(broker.bootstrap());
            Producer producer = Producer.builder(broker.bootstrap()).requestTimeout(Duration.ofSeconds(30)).build())
        {
            admin.createTopic("df", 1, StorageKind.DRAGONFLY);
            for (int i = 0; i < 5; i++)
            {
                producer.sendSync("df", null, "before" + i);
            }
            redis.kill();
            final CompletableFuture<RecordMetadata> during = producer.send("df", null, "during");
            BrokerProcess.sleep(1_500);
            assertFalse(during.isDone(), "no ack while Dragonfly cannot hold the record");
            assertEquals(5, admin.describeTopic("df").partitions().get(0).highWatermark(), "nor is it visible");

            redis.start();
            assertEquals(5, during.get(30, TimeUnit.SECONDS).offset(), "acked once Dragonfly holds it");
            assertEquals(1, streamLength(redis, "portask:stream:df:0"),
                "the restarted server lost the first five records; only the new one is there");
            final ByteArrayOutputStream errors = new ByteArrayOutputStream();
            assertEquals(0, PortaskCommands.run(new String[]{ "errors", "--data-dir", broker.dataDir().toString() },
                System.in, new PrintStream(errors, true, StandardCharsets.UTF_8), System.err));
            assertTrue(errors.toString(StandardCharsets.UTF_8).contains("Dragonfly lost records [0, 5)"),
                "the loss is in the error log");
        }
    }

    /**
     * A group member assigned partitions that are still opening (Dragonfly does not answer yet) sees retriable
     * errors from poll, then consumes once they open: an assignment it could not start is not kept as started.
     */
    @Test
    void shouldStartAGroupMembersPartitionsOnceTheyOpen() throws Exception
    {
        try (RedisServer redis = new RedisServer(dir.resolve("redis"), null).start();
            BrokerProcess broker = new BrokerProcess(dir.resolve("data"), "-Dportask.dragonfly.host=127.0.0.1",
                "-Dportask.dragonfly.port=" + redis.port(), "-Dportask.dragonfly.timeout.ms=500").start();
            Admin admin = Admin.connect(broker.bootstrap());
            Consumer member = Consumer.builder(broker.bootstrap()).group("g").build())
        {
            redis.suspend();
            admin.createTopic("df", 2, StorageKind.DRAGONFLY);
            member.subscribe(List.of("df"), new RebalanceListener()
            {
            });
            int retriable = 0;
            final long openingUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < openingUntil)
            {
                retriable += pollRetrying(member, new ArrayList<>());
            }
            assertTrue(retriable > 0, "the partitions were not ready while Dragonfly was stopped");
            redis.resume();
            try (Producer producer = Producer.builder(broker.bootstrap()).requestTimeout(Duration.ofSeconds(30))
                .build())
            {
                for (int i = 0; i < 10; i++)
                {
                    producer.sendSync(new TopicPartition("df", i % 2), null, ("v" + i).getBytes(UTF_8), List.of());
                }
            }
            final List<ConsumerRecord> records = new ArrayList<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (records.size() < 10 && System.nanoTime() < deadline)
            {
                pollRetrying(member, records);
            }
            assertEquals(10, records.size(), "records the member consumed; it owns " + member.assignment());
        }
    }

    private static int pollRetrying(final Consumer consumer, final List<ConsumerRecord> into)
    {
        try
        {
            into.addAll(consumer.poll(Duration.ofMillis(100)));
            return 0;
        }
        catch (final PortaskException ex)
        {
            assertTrue(ex.isRetriable(), ex.getMessage());
            BrokerProcess.sleep(50);
            return 1;
        }
    }

    @Test
    void shouldRefuseDragonflyOnlyTopicsWithoutDragonflyAndLeaveNothingBehind() throws Exception
    {
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data")).start();
            Admin admin = Admin.connect(broker.bootstrap()))
        {
            final PortaskException refused = assertThrows(PortaskException.class,
                () -> admin.createTopic("nowhere", 1, StorageKind.DRAGONFLY));
            assertEquals(ErrorCode.INVALID_REQUEST, refused.code());
            assertTrue(refused.getMessage().contains("portask.dragonfly.host"), refused.getMessage());
            assertTrue(admin.listTopics().isEmpty());
            admin.createTopic("nowhere", 1, StorageKind.JOURNAL);
        }
    }
}
