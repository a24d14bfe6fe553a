package io.portask.replication;

import io.aeron.Aeron;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.portask.protocol.CounterIds;
import io.portask.protocol.RecordBatch;
import io.portask.protocol.RecordBatchWriter;
import io.portask.storage.ChronicleJournalLog;
import io.portask.testsupport.BrokerProcess;
import org.agrona.CloseHelper;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three cluster node processes; an idempotent client appends continuously (8 in flight) while the leader is
 * killed with SIGKILL ten times, each time restarted once a new leader is elected; the client sends again whatever
 * a failover left unanswered (a closed session is replaced, as a producer would). One failure at a time: a leader
 * is killed only once the node restarted last has caught up. Afterwards every answer is the append's sequence
 * (dense, in order, each once), every node has applied all, and the three journals, read after a final kill -9
 * of every node, are identical byte for byte.
 */
class ReplicationKillSystemTest
{
    private static final List<String> HOSTS = List.of("localhost", "localhost", "localhost");
    private static final String TOPIC = "orders";
    private static final int KILLS = 10;
    private static final int PER_ROUND = 300;

    @TempDir
    Path dir;

    private final Process[] nodes = new Process[HOSTS.size()];
    private final int[] starts = new int[HOSTS.size()];
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
        CloseHelper.quietClose(clientDriver);
        for (final Process node : nodes)
        {
            if (null != node)
            {
                node.destroyForcibly();
            }
        }
    }

    @Test
    void shouldKeepEveryAnsweredAppendExactlyOnceAcrossTenLeaderKills() throws Exception
    {
        basePort = freeUdpBlock();
        for (int id = 0; id < nodes.length; id++)
        {
            nodes[id] = start(id);
        }
        connectClient();

        long total = Long.MAX_VALUE; // until the last kill; then one more round
        long lastKillAt = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        long nextToSend = 0;
        long oldestUnanswered = 0;
        int kills = 0;
        int killed = -1;
        int leader = client.leaderMemberId();
        while (oldestUnanswered < total)
        {
            assertTrue(System.nanoTime() < deadline, "not all answered in 240 s: oldest " + oldestUnanswered +
                " after " + kills + " kills; client closed " + client.isClosed() + ", leader " +
                client.leaderMemberId() + ", killed " + killed + ", next " + nextToSend);
            if (KILLS == kills && -1 == killed && Long.MAX_VALUE == total)
            {
                total = oldestUnanswered + PER_ROUND;
            }
            if (-1 == killed && kills < KILLS && oldestUnanswered >= lastKillAt + PER_ROUND &&
                everyNodeApplied(oldestUnanswered))
            {
                lastKillAt = oldestUnanswered;
                // one failure at a time: the node restarted last has caught up before the leader is killed
                killed = client.leaderMemberId();
                nodes[killed].destroyForcibly().waitFor(10, TimeUnit.SECONDS); // kill -9 with appends in flight
                kills++;
            }
            if (client.isClosed())
            {
                CloseHelper.quietClose(client); // as a producer would: a new session, the same producer id
                connectClient();
                leader = -1;
            }
            if (client.leaderMemberId() != leader)
            {
                leader = client.leaderMemberId();
                nextToSend = oldestUnanswered; // send again all that is unanswered, in order
                if (-1 != killed && leader != killed)
                {
                    nodes[killed] = start(killed);
                    killed = -1;
                }
            }
            while (nextToSend < total && nextToSend < oldestUnanswered + 8 && offer(nextToSend))
            {
                nextToSend++;
            }
            client.pollEgress();
            while (oldestUnanswered < total && -1 != answers.get(oldestUnanswered))
            {
                assertEquals(oldestUnanswered, answers.get(oldestUnanswered),
                    "an answered append's offset is its sequence: stored once, in order, with no gap");
                oldestUnanswered++;
            }
            Thread.yield();
        }
        assertEquals(KILLS, kills);
        awaitEveryNodeApplied(total);
        CloseHelper.quietClose(client);
        client = null;
        final List<byte[]> journals = new ArrayList<>();
        for (int id = 0; id < nodes.length; id++)
        {
            // kill -9 as well: a node's journal is read as it is after a crash (a graceful stop of a node whose
            // peers still run was seen to hang past 30 s, not investigated yet)
            nodes[id].destroyForcibly();
            assertTrue(nodes[id].waitFor(30, TimeUnit.SECONDS), "node " + id + " did not die");
            nodes[id] = null;
            journals.add(journalBytes(id, total));
        }
        assertArrayEquals(journals.get(0), journals.get(1), "node 1's journal differs from node 0's");
        assertArrayEquals(journals.get(0), journals.get(2), "node 2's journal differs from node 0's");
    }

    private Process start(final int id) throws IOException, InterruptedException
    {
        final List<String> line = new ArrayList<>();
        line.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        line.addAll(BrokerProcess.jvmFlags());
        line.add("-Xmx256m");
        line.add("-cp");
        line.add(System.getProperty("java.class.path"));
        line.add(ClusterNodeMain.class.getName());
        line.add(Integer.toString(id));
        line.add(String.join(",", HOSTS));
        line.add(Integer.toString(basePort));
        line.add(dir.resolve("node" + id).toString());
        final Path log = dir.resolve("node" + id + "-start" + starts[id]++ + ".log");
        final Process process = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(log) || !Files.readString(log).contains("portask cluster node " + id + " up"))
        {
            assertTrue(process.isAlive(), "node " + id + " exited:\n" + Files.readString(log));
            assertTrue(System.nanoTime() < deadline, "node " + id + " not up in 30 s:\n" + Files.readString(log));
            if (null != client)
            {
                client.pollEgress();
                client.sendKeepAlive(); // a restart waits ~10 s for the dead node's mark files; the session lives on
            }
            Thread.sleep(20);
        }
        return process;
    }

    private boolean everyNodeApplied(final long records)
    {
        for (int id = 0; id < nodes.length; id++)
        {
            if (applied(id) < records)
            {
                return false;
            }
        }
        return true;
    }

    private void connectClient()
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

    private boolean offer(final long sequence)
    {
        writer.reset(batch, 0, batch.capacity());
        writer.append(1_700_000_000_000L + sequence, null, ("record " + sequence).getBytes(StandardCharsets.UTF_8));
        final int length = ReplicatedAppend.encode(message, sequence, 7, sequence, TOPIC, 0, batch, 0, writer.seal());
        return client.offer(message, 0, length) > 0;
    }

    private void awaitEveryNodeApplied(final long records) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int id = 0; id < nodes.length; id++)
        {
            while (applied(id) < records)
            {
                assertTrue(System.nanoTime() < deadline, "node " + id + " never applied " + records + " records");
                client.pollEgress();
                Thread.sleep(20);
            }
        }
    }

    /** The node's applied-records counter, read from its media driver's counters. */
    private long applied(final int id)
    {
        final String label = ReplicatedJournals.LABEL_PREFIX + TOPIC + "/0";
        try (Aeron aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(dir.resolve("node" + id).resolve("aeron").toString())))
        {
            final long[] value = { -1 };
            aeron.countersReader().forEach((counterId, typeId, key, counterLabel) ->
            {
                if (CounterIds.REPLICATED_APPLIED == typeId && label.equals(counterLabel))
                {
                    value[0] = aeron.countersReader().getCounterValue(counterId);
                }
            });
            return value[0];
        }
    }

    private byte[] journalBytes(final int id, final long records)
    {
        final File folder = dir.resolve("node" + id).resolve("journals").resolve(TOPIC + "-0").toFile();
        try (ChronicleJournalLog journal = ChronicleJournalLog.open(folder, TOPIC + "/0", 1024 * 1024, null))
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

    private static int freeUdpBlock()
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int base = 20_000 + 10 * ThreadLocalRandom.current().nextInt(1_000);
            boolean free = true;
            for (int port = base; port < base + 36 && free; port++)
            {
                try (DatagramSocket socket = new DatagramSocket(port, InetAddress.getLoopbackAddress()))
                {
                    free = socket.isBound();
                }
                catch (final IOException ex)
                {
                    free = false;
                }
            }
            if (free)
            {
                return base;
            }
        }
        throw new IllegalStateException("no block of free UDP ports");
    }
}
