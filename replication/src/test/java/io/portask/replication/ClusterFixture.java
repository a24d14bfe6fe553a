package io.portask.replication;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.portask.protocol.RecordBatch;
import io.portask.protocol.RecordBatchWriter;
import io.portask.storage.ChronicleJournalLog;
import io.portask.testsupport.FreePorts;
import org.agrona.CloseHelper;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the replication tests share: three members on loopback with a free block of UDP ports, a cluster client
 * with a media driver of its own whose answers land in {@link #answers}, appends of one record each, and the
 * journals read back from the nodes' folders.
 */
final class ClusterFixture implements AutoCloseable
{
    static final List<String> HOSTS = List.of("localhost", "localhost", "localhost");
    static final String TOPIC = "orders";
    static final int MAX_BATCH = 1024 * 1024;

    final Long2LongHashMap answers = new Long2LongHashMap(-1);
    final int basePort = FreePorts.udpBlock(10 * HOSTS.size() + 6);
    private final Path dir;
    private final ExpandableDirectByteBuffer message = new ExpandableDirectByteBuffer(1024);
    private final UnsafeBuffer batch = new UnsafeBuffer(new byte[1024]);
    private final RecordBatchWriter writer = new RecordBatchWriter();
    private MediaDriver clientDriver;
    private AeronCluster client;

    ClusterFixture(final Path dir)
    {
        this.dir = dir;
    }

    /**
     * @return the client, connected (again, with a new session, when the last one closed).
     */
    AeronCluster client()
    {
        if (null == client || client.isClosed())
        {
            CloseHelper.quietClose(client);
            connect();
        }
        return client;
    }

    /**
     * @return the client if one was connected, else null (no connection is made).
     */
    AeronCluster connectedClient()
    {
        return client;
    }

    private void connect()
    {
        if (null == clientDriver)
        {
            clientDriver = MediaDriver.launchEmbedded(new MediaDriver.Context().threadingMode(ThreadingMode.SHARED)
                .aeronDirectoryName(dir.resolve("client-aeron").toString()).dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
        }
        final EgressListener onAnswer = (sessionId, timestamp, buffer, offset, length, header) ->
            answers.put(
                buffer.getLong(offset, ReplicatedAppend.ORDER), buffer.getLong(offset + 8, ReplicatedAppend.ORDER));
        client = AeronCluster.connect(new AeronCluster.Context()
            .aeronDirectoryName(clientDriver.aeronDirectoryName())
            .egressListener(onAnswer)
            .egressChannel("aeron:udp?endpoint=localhost:0")
            .ingressChannel("aeron:udp")
            .ingressEndpoints(ClusterNode.ingressEndpoints(HOSTS, basePort))
            .messageTimeoutNs(TimeUnit.SECONDS.toNanos(30)));
    }

    /**
     * Offer an append of one record, "record N", to partition 0; its correlation id is {@code correlationId}.
     *
     * @param producerId the producer, or -1 for none.
     * @return false when the cluster did not take it now.
     */
    boolean offer(final long correlationId, final long producerId, final long sequence)
    {
        writer.reset(batch, 0, batch.capacity());
        writer.append(1_700_000_000_000L + correlationId, null,
            ("record " + correlationId).getBytes(StandardCharsets.UTF_8));
        final int length = ReplicatedAppend.encode(
            message, correlationId, producerId, sequence, TOPIC.getBytes(StandardCharsets.UTF_8), 0, batch, 0,
            writer.seal());
        return client().offer(message, 0, length) > 0;
    }

    /**
     * Read each node's journal of partition 0 (the node stopped) and check they hold the same bytes: every record
     * once, offsets dense and in order.
     */
    void assertJournalsIdentical(final int nodes, final long records)
    {
        final List<byte[]> contents = new ArrayList<>();
        for (int id = 0; id < nodes; id++)
        {
            contents.add(journalBytes(id, records));
        }
        for (int id = 1; id < nodes; id++)
        {
            assertArrayEquals(contents.get(0), contents.get(id), "node " + id + "'s journal differs from node 0's");
        }
    }

    private byte[] journalBytes(final int id, final long records)
    {
        final File folder = dir.resolve("node" + id).resolve("journals").resolve(TOPIC + "-0").toFile();
        try (ChronicleJournalLog journal = ChronicleJournalLog.open(folder, TOPIC + "/0", MAX_BATCH, null))
        {
            assertEquals(records, journal.highWatermark(), "node " + id + " holds every record once");
            final UnsafeBuffer all = new UnsafeBuffer(new byte[(int)records * 256]);
            int length = 0;
            long next = 0;
            while (next < records)
            {
                final int read = journal.read(next, all.capacity() - length, all, length, all.capacity() - length);
                assertTrue(read > 0);
                for (int at = length; at < length + read; at += RecordBatch.batchLength(all, at))
                {
                    assertEquals(next, RecordBatch.baseOffset(all, at), "node " + id + ": offsets dense, in order");
                    next += RecordBatch.recordCount(all, at);
                }
                length += read;
            }
            return Arrays.copyOf(all.byteArray(), length);
        }
    }

    /**
     * Close the client and its driver.
     */
    public void close()
    {
        CloseHelper.quietClose(client);
        client = null;
        CloseHelper.quietClose(clientDriver);
        clientDriver = null;
    }
}
