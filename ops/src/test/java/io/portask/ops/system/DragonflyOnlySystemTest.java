package io.portask.ops.system;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.portask.client.Admin;
import io.portask.client.Consumer;
import io.portask.client.ConsumerRecord;
import io.portask.client.PortaskException;
import io.portask.client.Producer;
import io.portask.client.RecordMetadata;
import io.portask.client.TopicPartition;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.StorageKind;
import io.portask.storage.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
                Consumer consumer = Consumer.builder(second.bootstrap()).build())
            {
                assertEquals(20, admin.describeTopic("df").partitions().get(0).highWatermark(),
                    "offsets resume where the stream ends");
                assertEquals(20, producer.sendSync("df", null, "after").offset());
                final TopicPartition tp = new TopicPartition("df", 0);
                consumer.assign(tp);
                consumer.seek(tp, 0);
                final PortaskException older = assertThrows(PortaskException.class,
                    () -> consumer.poll(Duration.ofSeconds(5)));
                assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, older.code());
                assertTrue(older.getMessage().contains("older records are in Dragonfly"), older.getMessage());
                consumer.seek(tp, 20);
                assertEquals("after", BrokerSystemTest.pollUntil(consumer, 1).get(0).valueAsString());
            }
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
