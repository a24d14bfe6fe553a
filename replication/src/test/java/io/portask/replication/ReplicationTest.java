package io.portask.replication;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.portask.protocol.RecordBatch;
import io.portask.protocol.RecordBatchWriter;
import io.portask.storage.ChronicleJournalLog;
import org.agrona.CloseHelper;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three real Aeron Cluster nodes (media driver, Archive, consensus module, service container each) in this JVM
 * on loopback, a real cluster client: appends are answered with dense offsets once committed; a snapshot is
 * taken; the leader is stopped and a new one elected; the old leader comes back (from its snapshot and the log
 * after it) and catches up; every node's journal then holds the same bytes, each record once.
 */
class ReplicationTest
{
    private static final List<String> HOSTS = List.of("localhost", "localhost", "localhost");
    private static final String TOPIC = "orders";
    private static final int MAX_BATCH = 64 * 1024;

    @TempDir
    Path dir;

    private final ClusterNode[] nodes = new ClusterNode[HOSTS.size()];
    private final Long2LongHashMap answers = new Long2LongHashMap(-1);
    private final ExpandableDirectByteBuffer message = new ExpandableDirectByteBuffer(1024);
    private final UnsafeBuffer batch = new UnsafeBuffer(new byte[1024]);
    private final RecordBatchWriter writer = new RecordBatchWriter();
    private MediaDriver clientDriver;
    private AeronCluster client;
    private int basePort;

    @AfterEach
    void stop()
    {
        CloseHelper.quietClose(client);
        CloseHelper.quietCloseAll(nodes);
        CloseHelper.quietClose(clientDriver);
    }

    @Test
    void shouldCommitAppendsInOrderOnEveryNodeAcrossALeaderFailover() throws Exception
    {
        startCluster();
        appendAndAwait(0, 100);
        final int oldLeader = client.leaderMemberId();
        assertTrue(nodes[oldLeader].takeSnapshot());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (final ClusterNode node : nodes)
        {
            while (node.snapshots() < 1) // the old leader restarts from this snapshot, then replays the log after it
            {
                assertTrue(System.nanoTime() < deadline, "no snapshot within 30 s");
                client.pollEgress();
                Thread.yield();
            }
        }
        nodes[oldLeader].close();
        nodes[oldLeader] = null;
        awaitNewLeader(oldLeader);
        appendAndAwait(100, 100);

        nodes[oldLeader] = launch(oldLeader); // catches up from the others' logs
        appendAndAwait(200, 100);
        awaitEveryNodeHolds(300);
        assertJournalsIdentical(300);
    }

    @Test
    void shouldAnswerEveryAppendOnceWhenTheLeaderGoesWithAppendsInFlight() throws Exception
    {
        startCluster();
        final int total = 600;
        final int inFlight = 8;
        long nextToSend = 0;
        long oldestUnanswered = 0;
        boolean leaderStopped = false;
        long resent = 0;
        int lastLeader = client.leaderMemberId();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (oldestUnanswered < total)
        {
            assertTrue(System.nanoTime() < deadline, "appends not all answered in 60 s; oldest " + oldestUnanswered);
            if (!leaderStopped && oldestUnanswered >= total / 3 && nextToSend > oldestUnanswered)
            {
                // the appends in flight are committed (a follower applied them), then the leader goes and their
                // answers with it: the client must send them again, and each must still be stored once
                lastLeader = client.leaderMemberId();
                final ClusterNode follower = nodes[(lastLeader + 1) % nodes.length];
                while (follower.journals().highWatermark(TOPIC + "/0") < nextToSend)
                {
                    assertTrue(System.nanoTime() < deadline, "in-flight appends never committed");
                    client.pollEgress();
                    Thread.yield();
                }
                nodes[lastLeader].close();
                nodes[lastLeader] = null;
                for (long sequence = oldestUnanswered; sequence < nextToSend; sequence++)
                {
                    answers.remove(sequence);
                }
                resent += nextToSend - oldestUnanswered;
                leaderStopped = true;
            }
            if (client.leaderMemberId() != lastLeader && leaderStopped)
            {
                lastLeader = client.leaderMemberId();
                nextToSend = oldestUnanswered; // send again everything unanswered, in order
            }
            while (nextToSend < total && nextToSend < oldestUnanswered + inFlight && offer(nextToSend))
            {
                nextToSend++;
            }
            client.pollEgress();
            while (oldestUnanswered < total && -1 != answers.get(oldestUnanswered))
            {
                assertEquals(oldestUnanswered, answers.get(oldestUnanswered), "one producer, one record a batch: " +
                    "each append's offset is its sequence, a duplicate answered with its first offset");
                oldestUnanswered++;
            }
            Thread.yield();
        }
        assertTrue(resent > 0, "appends were in doubt at the failover");
        final int stopped = lastLeaderStopped();
        nodes[stopped] = launch(stopped);
        awaitEveryNodeHolds(total);
        assertJournalsIdentical(total);
    }

    private int lastLeaderStopped()
    {
        for (int id = 0; id < nodes.length; id++)
        {
            if (null == nodes[id])
            {
                return id;
            }
        }
        throw new IllegalStateException("no node was stopped");
    }

    /** Offers append {@code sequence} of producer 7 (its correlation id is its sequence). */
    private boolean offer(final long sequence)
    {
        writer.reset(batch, 0, batch.capacity());
        writer.append(1_700_000_000_000L + sequence, null, ("record " + sequence).getBytes(StandardCharsets.UTF_8));
        final int length = ReplicatedAppend.encode(message, sequence, 7, sequence, TOPIC, 0, batch, 0, writer.seal());
        return client.offer(message, 0, length) > 0;
    }

    private void startCluster()
    {
        try
        {
            basePort = freeUdpBlock();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
        for (int id = 0; id < nodes.length; id++)
        {
            nodes[id] = launch(id);
        }
        clientDriver = MediaDriver.launchEmbedded(new MediaDriver.Context().threadingMode(ThreadingMode.SHARED)
            .aeronDirectoryName(dir.resolve("client-aeron").toString()).dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
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

    private void assertJournalsIdentical(final long records)
    {
        CloseHelper.quietClose(client);
        client = null;
        final List<byte[]> contents = new ArrayList<>();
        for (int id = 0; id < nodes.length; id++)
        {
            nodes[id].close();
            nodes[id] = null;
            contents.add(journalBytes(id, records));
        }
        assertArrayEquals(contents.get(0), contents.get(1), "node 1's journal differs from node 0's");
        assertArrayEquals(contents.get(0), contents.get(2), "node 2's journal differs from node 0's");
    }

    private ClusterNode launch(final int id)
    {
        return ClusterNode.launch(id, HOSTS, basePort, dir.resolve("node" + id).toFile(), MAX_BATCH,
            Throwable::printStackTrace);
    }

    /** Appends one at a time, each answered before the next: so no append is in doubt when a leader goes. */
    private void appendAndAwait(final long fromOffset, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final long correlationId = fromOffset + i;
            writer.reset(batch, 0, batch.capacity());
            writer.append(1_700_000_000_000L + correlationId, null,
                ("record " + correlationId).getBytes(StandardCharsets.UTF_8));
            final int length =
                ReplicatedAppend.encode(message, correlationId, -1, 0, TOPIC, 0, batch, 0, writer.seal());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (client.offer(message, 0, length) < 0)
            {
                client.pollEgress();
                assertTrue(System.nanoTime() < deadline, "the cluster took no append for 30 s");
                Thread.yield();
            }
            while (-1 == answers.get(correlationId))
            {
                if (0 == client.pollEgress())
                {
                    assertTrue(System.nanoTime() < deadline, "append " + correlationId + " not answered in 30 s");
                    Thread.yield();
                }
            }
            assertEquals(correlationId, answers.get(correlationId), "offsets are dense and in send order");
        }
    }

    private void awaitNewLeader(final int oldLeader)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (client.leaderMemberId() == oldLeader)
        {
            client.pollEgress();
            assertTrue(System.nanoTime() < deadline, "no new leader within 30 s");
            Thread.yield();
        }
        assertNotEquals(oldLeader, client.leaderMemberId());
    }

    private void awaitEveryNodeHolds(final long records) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (final ClusterNode node : nodes)
        {
            while (node.journals().highWatermark(TOPIC + "/0") < records)
            {
                assertTrue(System.nanoTime() < deadline, "a node never caught up to " + records + " records");
                Thread.sleep(10);
            }
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

    private static int freeUdpBlock() throws Exception
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int base = 20_000 + 10 * ThreadLocalRandom.current().nextInt(1_000);
            if (udpFree(base, 3 * 10 + 6))
            {
                return base;
            }
        }
        throw new IllegalStateException("no block of free UDP ports");
    }

    private static boolean udpFree(final int from, final int count)
    {
        for (int port = from; port < from + count; port++)
        {
            try (DatagramSocket socket = new DatagramSocket(port, InetAddress.getLoopbackAddress()))
            {
                socket.getLocalPort();
            }
            catch (final Exception ex)
            {
                return false;
            }
        }
        return true;
    }
}
