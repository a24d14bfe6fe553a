package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.Consumer;
import io.portask.client.ConsumerRecord;
import io.portask.client.Header;
import io.portask.client.PortaskException;
import io.portask.client.Producer;
import io.portask.client.RecordMetadata;
import io.portask.client.TopicPartition;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client against one real broker process over real sockets.
 */
class BrokerSystemTest
{
    @TempDir
    static Path dir;

    private static BrokerProcess broker;
    private static Admin admin;

    @BeforeAll
    static void startBroker() throws Exception
    {
        broker = new BrokerProcess(dir.resolve("data")).start();
        admin = Admin.connect(broker.bootstrap());
    }

    @AfterAll
    static void stopBroker() throws Exception
    {
        admin.close();
        broker.close();
    }

    @Test
    void shouldRoundTripRecordsAcrossManyPartitionsInOrder()
    {
        final int partitions = 16;
        final int perPartition = 200;
        admin.createTopic("many", partitions, StorageKind.JOURNAL);
        final List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
        try (Producer producer = Producer.builder(broker.bootstrap()).lingerMs(2).build())
        {
            for (int i = 0; i < perPartition; i++)
            {
                for (int p = 0; p < partitions; p++)
                {
                    sent.add(producer.send(new TopicPartition("many", p), null,
                        ("p" + p + "-" + i).getBytes(StandardCharsets.UTF_8), List.of()));
                }
            }
            producer.flush();
        }
        sent.forEach(future -> assertTrue(future.join().offset() >= 0));
        try (Consumer consumer = Consumer.builder(broker.bootstrap()).maxFetchBytes(4096).build())
        {
            for (int p = 0; p < partitions; p++)
            {
                consumer.assign(new TopicPartition("many", p));
            }
            final Map<Integer, List<String>> byPartition = new HashMap<>();
            int total = 0;
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (total < partitions * perPartition && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(200)))
                {
                    byPartition.computeIfAbsent(record.partition(), k -> new ArrayList<>()).add(record.valueAsString());
                    assertEquals(byPartition.get(record.partition()).size() - 1, record.offset());
                    total++;
                }
            }
            for (int p = 0; p < partitions; p++)
            {
                final List<String> values = byPartition.get(p);
                assertEquals(perPartition, values.size(), "partition " + p);
                for (int i = 0; i < perPartition; i++)
                {
                    assertEquals("p" + p + "-" + i, values.get(i));
                }
            }
        }
    }

    @Test
    void shouldKeepKeyedRecordsInOnePartitionAndCarryHeaders()
    {
        admin.createTopic("keyed", 4, StorageKind.JOURNAL);
        try (Producer producer = Producer.builder(broker.bootstrap()).build();
            Consumer consumer = Consumer.builder(broker.bootstrap()).build())
        {
            final byte[] key = "customer-42".getBytes(StandardCharsets.UTF_8);
            final int expected = Producer.partitionFor(key, 4);
            for (int i = 0; i < 10; i++)
            {
                final RecordMetadata metadata = producer.send("keyed", key, ("v" + i).getBytes(StandardCharsets.UTF_8),
                    List.of(new Header("trace", ("t" + i).getBytes(StandardCharsets.UTF_8))))
                    .join();
                assertEquals(expected, metadata.partition());
                assertEquals(i, metadata.offset());
            }
            consumer.assign(new TopicPartition("keyed", expected));
            final List<ConsumerRecord> records = pollUntil(consumer, 10);
            assertEquals("customer-42", records.get(3).keyAsString());
            assertEquals("trace", records.get(3).headers().get(0).key());
            assertArrayEquals("t3".getBytes(StandardCharsets.UTF_8), records.get(3).headers().get(0).value());
        }
    }

    @Test
    void shouldAnswerLongPollFetchWhenRecordArrives()
    {
        admin.createTopic("longpoll", 1, StorageKind.JOURNAL);
        try (Producer producer = Producer.builder(broker.bootstrap()).build();
            Consumer consumer = Consumer.builder(broker.bootstrap()).build())
        {
            final TopicPartition tp = new TopicPartition("longpoll", 0);
            consumer.assign(tp);
            assertTrue(consumer.poll(Duration.ofMillis(100)).isEmpty());
            final CompletableFuture<List<ConsumerRecord>> polled =
                CompletableFuture.supplyAsync(() -> consumer.poll(Duration.ofSeconds(20)));
            BrokerProcess.sleep(200);
            producer.sendSync("longpoll", null, "late");
            final List<ConsumerRecord> records = polled.join();
            assertEquals(1, records.size());
            assertEquals("late", records.get(0).valueAsString());
        }
    }

    @Test
    void shouldPushRecordsToSubscriberWithSmallCreditWindow()
    {
        admin.createTopic("pushed", 1, StorageKind.JOURNAL);
        final TopicPartition tp = new TopicPartition("pushed", 0);
        try (Producer producer = Producer.builder(broker.bootstrap()).build();
            Consumer consumer = Consumer.builder(broker.bootstrap()).pushWindowBytes(512).build())
        {
            producer.sendSync("pushed", null, "before");
            consumer.subscribe(tp, 0);
            for (int i = 0; i < 300; i++)
            {
                producer.send("pushed", null, "r" + i);
            }
            producer.flush();
            final List<ConsumerRecord> records = pollUntil(consumer, 301);
            assertEquals("before", records.get(0).valueAsString());
            for (int i = 0; i < 300; i++)
            {
                assertEquals(i + 1, records.get(i + 1).offset());
                assertEquals("r" + i, records.get(i + 1).valueAsString());
            }
            consumer.unsubscribe(tp);
        }
    }

    @Test
    void shouldCommitAndFetchCommittedOffsets()
    {
        admin.createTopic("committed", 2, StorageKind.JOURNAL);
        try (Producer producer = Producer.builder(broker.bootstrap()).build();
            Consumer consumer = Consumer.builder(broker.bootstrap()).group("billing").build())
        {
            for (int i = 0; i < 5; i++)
            {
                producer.send(new TopicPartition("committed", 1), null, new byte[]{ (byte)i }, List.of());
            }
            producer.flush();
            final TopicPartition tp = new TopicPartition("committed", 1);
            assertEquals(-1, consumer.committed(tp));
            consumer.commit(tp, 3);
            assertEquals(3, consumer.committed(tp));
            final PortaskException beyond = assertThrows(PortaskException.class, () -> consumer.commit(tp, 99));
            assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, beyond.code());
            consumer.assign(tp);
            assertEquals(3, consumer.position(tp));
        }
    }

    @Test
    void shouldServeMemoryOnlyTopics()
    {
        admin.createTopic("hot", 1, StorageKind.MEMORY);
        try (Producer producer = Producer.builder(broker.bootstrap()).ackLevel(AckLevel.MEMORY).build();
            Consumer consumer = Consumer.builder(broker.bootstrap()).build())
        {
            producer.sendSync("hot", "k", "fast");
            consumer.assign(new TopicPartition("hot", 0));
            assertEquals("fast", pollUntil(consumer, 1).get(0).valueAsString());
        }
    }

    @Test
    void shouldAdministerTopicsWithClearErrors()
    {
        admin.createTopic("admin-a", 3, StorageKind.JOURNAL);
        final PortaskException exists = assertThrows(PortaskException.class,
            () -> admin.createTopic("admin-a", 1, StorageKind.JOURNAL));
        assertEquals(ErrorCode.TOPIC_ALREADY_EXISTS, exists.code());
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(PortaskException.class,
            () -> admin.createTopic("bad/name", 1, StorageKind.JOURNAL)).code());
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(PortaskException.class,
            () -> admin.createTopic("zero", 0, StorageKind.JOURNAL)).code());
        assertTrue(admin.listTopics().stream().anyMatch(t -> t.name().equals("admin-a") && t.partitions() == 3));
        assertEquals(3, admin.describeTopic("admin-a").partitions().size());
        admin.deleteTopic("admin-a");
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            assertThrows(PortaskException.class, () -> admin.describeTopic("admin-a")).code());
        admin.createTopic("admin-a", 1, StorageKind.JOURNAL);
        assertEquals(0, admin.describeTopic("admin-a").partitions().get(0).highWatermark());
    }

    @Test
    void shouldFailSendToUnknownTopicWithoutRetrying()
    {
        try (Producer producer = Producer.builder(broker.bootstrap()).build())
        {
            final CompletableFuture<RecordMetadata> future =
                producer.send(new TopicPartition("missing", 0), null, new byte[1], List.of());
            final PortaskException error = PortaskException.from(assertThrows(Exception.class, future::join));
            assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, error.code());
        }
    }

    @Test
    void shouldExposeCountersToOutsideReadersThroughTheCountersFile()
    {
        admin.createTopic("counted", 1, StorageKind.JOURNAL);
        try (Producer producer = Producer.builder(broker.bootstrap()).build())
        {
            for (int i = 0; i < 7; i++)
            {
                producer.sendSync("counted", null, "x");
            }
        }
        final java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        final int status = io.portask.ops.PortaskCommands.run(
            new String[]{ "stat", "--data-dir", broker.dataDir().toString() }, System.in,
            new java.io.PrintStream(text, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, status);
        final String stat = text.toString(StandardCharsets.UTF_8);
        assertTrue(stat.matches("(?s).*records appended: counted/0\\s+7\\n.*"), stat);
        assertTrue(stat.matches("(?s).*requests: Produce\\s+[1-9][0-9,]*\\n.*"), stat);
        assertTrue(stat.contains("connections active"), stat);
    }

    static List<ConsumerRecord> pollUntil(final Consumer consumer, final int count)
    {
        final List<ConsumerRecord> records = new ArrayList<>();
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (records.size() < count && System.nanoTime() < deadline)
        {
            records.addAll(consumer.poll(Duration.ofMillis(200)));
        }
        assertEquals(count, records.size(), "records received");
        return records;
    }
}
