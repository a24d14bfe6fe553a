package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.Consumer;
import io.portask.client.ConsumerRecord;
import io.portask.client.OffsetReset;
import io.portask.client.Producer;
import io.portask.client.RecordMetadata;
import io.portask.client.TopicPartition;
import io.portask.ops.CountersFile;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import io.portask.testsupport.ChaosProxy;
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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What idempotence is for, against a real broker process: a producer whose connections are cut in the middle of
 * acks (a proxy closes them every 100 ms) retries, and every record is stored exactly once, at dense offsets; the
 * same producer without idempotence stores some twice (so the cuts do lose acks). Across a kill -9 and restart of
 * the broker, the producer state rebuilt from the journal still recognises the batches sent again.
 */
class IdempotentProducerSystemTest
{
    private static final int RECORDS = 4_000;

    @TempDir
    Path dir;

    @Test
    void shouldStoreEveryRecordOnceWhileConnectionsAreCutInTheMiddleOfAcks() throws Exception
    {
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data")).start();
            ChaosProxy proxy = new ChaosProxy("127.0.0.1", broker.port());
            Admin admin = Admin.connect(broker.bootstrap()))
        {
            final Thread chaos = new Thread(() ->
            {
                while (!Thread.currentThread().isInterrupted())
                {
                    try
                    {
                        Thread.sleep(100);
                    }
                    catch (final InterruptedException ex)
                    {
                        return;
                    }
                    proxy.cutAll();
                }
            });
            chaos.start();
            try
            {
                // a cut does not always fall between a store and its answer: go on until one record was stored twice
                boolean storedTwice = false;
                for (int round = 0; round < 10 && !storedTwice; round++)
                {
                    admin.createTopic("twice-" + round, 1, StorageKind.JOURNAL);
                    sendAll(proxy.bootstrap(), "twice-" + round, false);
                    storedTwice = countValues(broker.bootstrap(), "twice-" + round).values().stream()
                        .anyMatch(count -> count > 1);
                }
                assertTrue(storedTwice, "without idempotence the cuts store some records twice");
                // the same for the idempotent producer: go on until the broker saw one batch sent again
                for (int round = 0; round < 10 && (0 == round || 0 == counter(broker, "duplicate batches")); round++)
                {
                    admin.createTopic("once-" + round, 1, StorageKind.JOURNAL);
                    sendAll(proxy.bootstrap(), "once-" + round, true);
                    assertExactlyOnce(broker.bootstrap(), "once-" + round);
                }
                assertTrue(counter(broker, "duplicate batches") > 0, "the broker recognised batches sent again");
            }
            finally
            {
                chaos.interrupt();
                chaos.join();
            }
        }
    }

    @Test
    void shouldRecogniseBatchesSentAgainAfterTheBrokerIsKilledAndRestarted() throws Exception
    {
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data")).start())
        {
            try (Admin admin = Admin.connect(broker.bootstrap()))
            {
                admin.createTopic("once", 1, StorageKind.JOURNAL);
            }
            final Thread killer = new Thread(() ->
            {
                try
                {
                    Thread.sleep(300);
                    broker.kill();
                    broker.start();
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            killer.start();
            sendAll(broker.bootstrap(), "once", true);
            killer.join();
            assertExactlyOnce(broker.bootstrap(), "once");
        }
    }

    private static void sendAll(final String bootstrap, final String topic, final boolean idempotence)
        throws Exception
    {
        final TopicPartition tp = new TopicPartition(topic, 0);
        try (Producer producer = Producer.builder(bootstrap).idempotence(idempotence).lingerMs(1).retries(10_000)
            .retryBackoffMs(10).requestTimeout(Duration.ofSeconds(2)).deliveryTimeout(Duration.ofSeconds(90)).build())
        {
            final List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++)
            {
                sent.add(producer.send(tp, null, Integer.toString(i).getBytes(StandardCharsets.UTF_8), List.of()));
                if (i % 50 == 49)
                {
                    Thread.sleep(5);
                }
            }
            for (final CompletableFuture<RecordMetadata> future : sent)
            {
                future.get(120, TimeUnit.SECONDS);
            }
        }
    }

    private static void assertExactlyOnce(final String bootstrap, final String topic)
    {
        final List<ConsumerRecord> records = readAll(bootstrap, topic);
        assertEquals(RECORDS, records.size(), "every record stored once");
        for (int i = 0; i < RECORDS; i++)
        {
            assertEquals(i, records.get(i).offset(), "dense offsets");
            assertEquals(Integer.toString(i), records.get(i).valueAsString(), "in order, none twice");
        }
    }

    private static Map<String, Integer> countValues(final String bootstrap, final String topic)
    {
        final Map<String, Integer> counts = new HashMap<>();
        readAll(bootstrap, topic).forEach(record -> counts.merge(record.valueAsString(), 1, Integer::sum));
        assertEquals(RECORDS, counts.size(), "no record lost");
        return counts;
    }

    private static List<ConsumerRecord> readAll(final String bootstrap, final String topic)
    {
        final TopicPartition tp = new TopicPartition(topic, 0);
        final List<ConsumerRecord> records = new ArrayList<>();
        try (Admin admin = Admin.connect(bootstrap);
            Consumer consumer = Consumer.builder(bootstrap).autoOffsetReset(OffsetReset.NONE).build())
        {
            final long end = admin.offsets(tp)[1];
            consumer.assign(tp);
            consumer.seek(tp, 0);
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < end && System.nanoTime() < deadline)
            {
                records.addAll(consumer.poll(Duration.ofMillis(200)));
            }
        }
        return records;
    }

    private static long counter(final BrokerProcess broker, final String label)
    {
        final Long value = CountersFile.read(broker.dataDir().resolve("aeron").toFile()).get(label);
        return null == value ? 0 : value;
    }
}
