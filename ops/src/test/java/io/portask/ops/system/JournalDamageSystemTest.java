package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.Consumer;
import io.portask.client.ConsumerRecord;
import io.portask.client.Producer;
import io.portask.client.TopicPartition;
import io.portask.ops.CountersFile;
import io.portask.ops.PortaskCommands;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The journal-tail damage of the integrity report, on a real broker: 2,000 records in 200 batches, the last
 * 4 KiB of written journal data zeroed while the broker is stopped. The cut is reported, the high watermark is
 * what a consumer gets, and new records neither reuse a held offset nor vanish after another restart.
 */
class JournalDamageSystemTest
{
    @TempDir
    Path dir;

    @Test
    void shouldCutADamagedTailReportItAndKeepOffsetsHonest() throws Exception
    {
        final Path data = dir.resolve("data");
        final TopicPartition tp = new TopicPartition("orders", 0);
        try (BrokerProcess broker = new BrokerProcess(data).start())
        {
            try (Admin admin = Admin.connect(broker.bootstrap()))
            {
                admin.createTopic("orders", 1, StorageKind.JOURNAL);
            }
            try (Producer producer = Producer.builder(broker.bootstrap()).lingerMs(1_000).build())
            {
                for (int batch = 0; batch < 200; batch++)
                {
                    for (int i = 0; i < 10; i++)
                    {
                        producer.send(tp, null, value(batch * 10 + i), List.of());
                    }
                    producer.flush();
                }
            }
            broker.stop();
        }
        final Path journal = newestJournalFile(data.resolve("topics").resolve("orders").resolve("0"));
        zeroTail(journal, 4096);

        final long hwm;
        try (BrokerProcess broker = new BrokerProcess(data).start();
            Admin admin = Admin.connect(broker.bootstrap()))
        {
            hwm = admin.describeTopic("orders").partitions().get(0).highWatermark();
            assertTrue(hwm > 1_500 && hwm < 2_000, "cut near the tail, hwm " + hwm);
            assertServesExactly(broker, tp, hwm);
            try (Producer producer = Producer.builder(broker.bootstrap()).build())
            {
                assertEquals(hwm, producer.sendSync("orders", null, "after-the-cut").offset(),
                    "offsets resume after the last sound batch");
            }
            assertTrue(broker.log().contains("WARN") && broker.log().contains("damaged at its tail: cut offsets"),
                broker.log());
            assertTrue(broker.log().contains("topic orders partition 0"), broker.log());
            assertEquals(1L, CountersFile.read(data.resolve("aeron").toFile()).get("journal tails cut"));
            assertTrue(CountersFile.read(data.resolve("aeron").toFile()).get("journal bytes cut") > 0);
            final String errors = run("errors", "--data-dir", data.toString());
            assertTrue(errors.contains("journal of topic orders partition 0 damaged"), errors);
            final String stat = run("stat", "--data-dir", data.toString());
            assertTrue(stat.matches("(?s).*journal tails cut\\s+1\\n.*"), stat);
            broker.stop();
        }

        try (BrokerProcess broker = new BrokerProcess(data).start();
            Admin admin = Admin.connect(broker.bootstrap());
            Consumer consumer = Consumer.builder(broker.bootstrap()).build())
        {
            assertEquals(hwm + 1, admin.describeTopic("orders").partitions().get(0).highWatermark());
            consumer.assign(tp);
            consumer.seek(tp, hwm);
            final List<ConsumerRecord> after = BrokerSystemTest.pollUntil(consumer, 1);
            assertEquals(hwm, after.get(0).offset());
            assertEquals("after-the-cut", after.get(0).valueAsString(), "the acked record survives a restart");
            assertEquals(0L, CountersFile.read(data.resolve("aeron").toFile()).get("journal tails cut"),
                "a repaired journal opens clean");
        }
    }

    private static void assertServesExactly(final BrokerProcess broker, final TopicPartition tp, final long hwm)
    {
        try (Consumer consumer = Consumer.builder(broker.bootstrap()).build())
        {
            consumer.assign(tp);
            consumer.seekToBeginning(tp);
            final List<ConsumerRecord> records = BrokerSystemTest.pollUntil(consumer, (int)hwm);
            assertEquals(hwm, records.size(), "a consumer from the start gets exactly the high watermark");
            assertTrue(consumer.poll(java.time.Duration.ofMillis(500)).isEmpty(), "nothing above it");
            for (int i = 0; i < hwm; i++)
            {
                assertEquals(i, records.get(i).offset());
                assertEquals(new String(value(i), StandardCharsets.UTF_8), records.get(i).valueAsString());
            }
        }
    }

    private static byte[] value(final int n)
    {
        return ("order-" + n + "-" + "x".repeat(40)).getBytes(StandardCharsets.UTF_8);
    }

    private static String run(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, PortaskCommands.run(args, System.in, new PrintStream(out, true, StandardCharsets.UTF_8),
            System.err));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Path newestJournalFile(final Path partitionDir) throws IOException
    {
        try (Stream<Path> files = Files.list(partitionDir))
        {
            return files.filter(p -> p.toString().endsWith(".cq4")).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    private static void zeroTail(final Path file, final int bytes) throws IOException
    {
        final byte[] content = Files.readAllBytes(file);
        int end = content.length;
        while (end > 0 && 0 == content[end - 1])
        {
            end--;
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(end - bytes);
            raf.write(new byte[bytes]);
        }
    }
}
