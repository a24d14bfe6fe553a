package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.Consumer;
import io.portask.client.ConsumerRecord;
import io.portask.client.Producer;
import io.portask.client.RecordMetadata;
import io.portask.client.TopicPartition;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Broker crashes and restarts: acked records, topics and committed offsets survive; clients reconnect.
 */
class RestartSystemTest
{
    @TempDir
    Path dir;

    @Test
    void shouldKeepEveryJournalAckedRecordInOrderAcrossKill9() throws Exception
    {
        final Path data = dir.resolve("data");
        final List<Long> acked = new ArrayList<>();
        try (BrokerProcess broker = new BrokerProcess(data).start())
        {
            try (Admin admin = Admin.connect(broker.bootstrap()))
            {
                admin.createTopic("durable", 2, StorageKind.JOURNAL);
                admin.createTopic("volatile", 1, StorageKind.MEMORY);
            }
            try (Producer producer = Producer.builder(broker.bootstrap()).ackLevel(AckLevel.JOURNAL).build();
                Consumer consumer = Consumer.builder(broker.bootstrap()).group("g").build())
            {
                final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
                for (int i = 0; i < 2_000; i++)
                {
                    futures.add(producer.send(new TopicPartition("durable", i % 2), null,
                        Integer.toString(i).getBytes(java.nio.charset.StandardCharsets.UTF_8), List.of()));
                }
                producer.flush();
                for (final CompletableFuture<RecordMetadata> future : futures)
                {
                    acked.add(future.join().offset());
                }
                consumer.commit(new TopicPartition("durable", 1), 600);
            }
            broker.kill();
        }
        try (BrokerProcess broker = new BrokerProcess(data).start();
            Admin admin = Admin.connect(broker.bootstrap());
            Consumer consumer = Consumer.builder(broker.bootstrap()).group("g").build())
        {
            assertEquals(2, admin.listTopics().size());
            assertEquals(1_000, admin.describeTopic("durable").partitions().get(0).highWatermark());
            assertEquals(1_000, admin.describeTopic("durable").partitions().get(1).highWatermark());
            assertEquals(0, admin.describeTopic("volatile").partitions().get(0).highWatermark());
            final TopicPartition zero = new TopicPartition("durable", 0);
            consumer.assign(zero);
            final List<ConsumerRecord> records = BrokerSystemTest.pollUntil(consumer, 1_000);
            for (int i = 0; i < 1_000; i++)
            {
                assertEquals(i, records.get(i).offset());
                assertEquals(Integer.toString(2 * i), records.get(i).valueAsString());
            }
            assertEquals(600, consumer.committed(new TopicPartition("durable", 1)));
        }
        assertEquals(2_000, acked.size());
        assertTrue(acked.stream().allMatch(offset -> offset >= 0 && offset < 1_000));
    }

    @Test
    void shouldReconnectProducerAndConsumerAfterBrokerRestart() throws Exception
    {
        final Path data = dir.resolve("data");
        final BrokerProcess first = new BrokerProcess(data).start();
        try (Admin admin = Admin.connect(first.bootstrap()))
        {
            admin.createTopic("again", 1, StorageKind.JOURNAL);
        }
        try (Producer producer = Producer.builder(first.bootstrap()).retries(20).retryBackoffMs(100).build();
            Consumer consumer = Consumer.builder(first.bootstrap()).build())
        {
            assertEquals(0, producer.sendSync("again", null, "before").offset());
            first.stop();
            try (BrokerProcess restarted = new BrokerProcess(data, first.port()).start())
            {
                assertEquals(1, producer.sendSync("again", null, "after").offset());
                consumer.assign(new TopicPartition("again", 0));
                final List<ConsumerRecord> records = BrokerSystemTest.pollUntil(consumer, 2);
                assertEquals("before", records.get(0).valueAsString());
                assertEquals("after", records.get(1).valueAsString());
                assertTrue(restarted.isAlive());
            }
        }
    }
}
