package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.Consumer;
import io.portask.client.ConsumerRecord;
import io.portask.client.OffsetReset;
import io.portask.client.TopicPartition;
import io.portask.ops.CountersFile;
import io.portask.protocol.RecordBatch;
import io.portask.storage.ChronicleJournalLog;
import io.portask.testsupport.ClusterProcesses;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.ErrorLogReader;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Three broker processes as one cluster ({@link ClusterProcesses}) and what the tests read from them: the leader
 * (from the nodes' counters), a node's records, a stopped node's journal bytes.
 */
final class ClusterNodes implements AutoCloseable
{
    static final int NODES = 3;

    private final ClusterProcesses processes;

    /**
     * @param extraProperties more -D flags for every node.
     */
    ClusterNodes(final Path dir, final String... extraProperties) throws IOException
    {
        this.processes = new ClusterProcesses(dir, NODES, extraProperties);
    }

    String bootstrap()
    {
        return processes.bootstrap();
    }

    ClusterNodes startAll() throws IOException
    {
        processes.startAll();
        return this;
    }

    void start(final int node) throws IOException
    {
        processes.start(node);
    }

    void kill(final int node) throws InterruptedException
    {
        processes.kill(node);
    }

    /**
     * @return true when the node stopped by itself within 20 s of a SIGTERM.
     */
    boolean stopGracefully(final int node) throws InterruptedException
    {
        return processes.broker(node).stopWithin(20);
    }

    /**
     * @return every node's log, as its latest process wrote it.
     */
    String logs() throws IOException
    {
        final StringBuilder logs = new StringBuilder();
        for (int i = 0; i < NODES; i++)
        {
            logs.append(processes.broker(i).log());
        }
        return logs.toString();
    }

    /**
     * @return the end of every node's log and its error log, to explain a failure.
     */
    String diagnostics()
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < NODES; i++)
        {
            text.append("\n==== node ").append(i).append(": alive ").append(processes.broker(i).isAlive())
                .append(", cluster leader ").append(counter(i, "cluster leader")).append(", log position ")
                .append(counter(i, "cluster log position")).append(" ====\n");
            try
            {
                final String log = processes.broker(i).log().replaceAll("(?m)^.*snapshot.*\n", "");
                text.append(log, Math.max(0, log.length() - 4_000), log.length());
            }
            catch (final IOException ex)
            {
                text.append("no log: ").append(ex);
            }
            final File errors = processes.broker(i).dataDir().resolve("broker-errors.dat").toFile();
            if (errors.exists())
            {
                final MappedByteBuffer mapped = IoUtil.mapExistingFile(errors, "errors");
                ErrorLogReader.read(new UnsafeBuffer(mapped), (count, first, last, error) ->
                    text.append("\n-- error x").append(count).append(": ")
                        .append(error, 0, Math.min(error.length(), 1_500)));
                IoUtil.unmap(mapped);
            }
        }
        return text.toString();
    }

    /**
     * @return the node's counter with this label, or null when it has none (or its counters file is gone).
     */
    Long counter(final int node, final String label)
    {
        return CountersFile.read(processes.broker(node).dataDir().resolve("aeron").toFile()).get(label);
    }

    /**
     * @return the member id of a live node that sees itself lead; -1 when none does within 30 s.
     */
    int awaitLeader() throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline)
        {
            for (int i = 0; i < NODES; i++)
            {
                if (processes.broker(i).isAlive() && Long.valueOf(i).equals(counter(i, "cluster leader")))
                {
                    return i;
                }
            }
            Thread.sleep(50);
        }
        return -1;
    }

    /**
     * Every record of partition 0 as one node serves it (followers serve committed records).
     */
    List<ConsumerRecord> readAll(final int node, final String topic)
    {
        final TopicPartition tp = new TopicPartition(topic, 0);
        final List<ConsumerRecord> records = new ArrayList<>();
        final String address = processes.address(node);
        try (Admin admin = Admin.connect(address);
            Consumer consumer = Consumer.builder(address).autoOffsetReset(OffsetReset.NONE).build())
        {
            final long end = admin.offsets(tp)[1];
            consumer.assign(tp);
            consumer.seek(tp, 0);
            while (records.size() < end)
            {
                records.addAll(consumer.poll(Duration.ofSeconds(1)));
            }
        }
        return records;
    }

    /**
     * A stopped node's journal of partition 0, every batch as stored (base offsets and CRCs included).
     */
    byte[] journalBytes(final int node, final String topic)
    {
        final File folder = processes.broker(node).dataDir().resolve("topics").resolve(topic).resolve("0").toFile();
        try (ChronicleJournalLog journal = ChronicleJournalLog.open(folder, topic + "/0", 1 << 20, null))
        {
            final ByteArrayOutputStream all = new ByteArrayOutputStream();
            final UnsafeBuffer batch = new UnsafeBuffer(new byte[1 << 20]);
            long next = journal.logStartOffset();
            while (next < journal.highWatermark())
            {
                final int length = journal.read(next, 1, batch, 0, batch.capacity());
                all.write(batch.byteArray(), 0, length);
                next += RecordBatch.recordCount(batch, 0);
            }
            return all.toByteArray();
        }
    }

    public void close()
    {
        processes.close();
    }
}
