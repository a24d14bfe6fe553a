package io.portask.replication;

import io.aeron.Aeron;
import io.aeron.cluster.client.AeronCluster;
import io.portask.protocol.CounterIds;
import io.portask.testsupport.BrokerProcess;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2LongHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
    private static final List<String> HOSTS = ClusterFixture.HOSTS;
    private static final String TOPIC = ClusterFixture.TOPIC;
    private static final int KILLS = 10;
    private static final int PER_ROUND = 300;

    @TempDir
    Path dir;

    private final Process[] nodes = new Process[HOSTS.size()];
    private final int[] starts = new int[HOSTS.size()];
    private ClusterFixture cluster;

    @AfterEach
    void stop()
    {
        CloseHelper.quietClose(cluster);
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
        cluster = new ClusterFixture(dir);
        for (int id = 0; id < nodes.length; id++)
        {
            nodes[id] = start(id);
        }
        final Long2LongHashMap answers = cluster.answers;

        long total = Long.MAX_VALUE; // until the last kill; then one more round
        long lastKillAt = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        long nextToSend = 0;
        long oldestUnanswered = 0;
        int kills = 0;
        int killed = -1;
        AeronCluster client = cluster.client();
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
            if (cluster.client() != client)
            {
                client = cluster.client(); // the last session closed: a new one, the same producer id
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
            while (nextToSend < total && nextToSend < oldestUnanswered + 8 && cluster.offer(nextToSend, 7, nextToSend))
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
        cluster.close();
        for (int id = 0; id < nodes.length; id++)
        {
            // kill -9 as well: a node's journal is read as it is after a crash (a graceful stop of a node whose
            // peers still run was seen to hang past 30 s, not investigated yet)
            nodes[id].destroyForcibly();
            assertTrue(nodes[id].waitFor(30, TimeUnit.SECONDS), "node " + id + " did not die");
            nodes[id] = null;
        }
        cluster.assertJournalsIdentical(nodes.length, total);
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
        line.add(Integer.toString(cluster.basePort));
        line.add(dir.resolve("node" + id).toString());
        final Path log = dir.resolve("node" + id + "-start" + starts[id]++ + ".log");
        final Process process = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(log) || !Files.readString(log).contains("portask cluster node " + id + " up"))
        {
            assertTrue(process.isAlive(), "node " + id + " exited:\n" + Files.readString(log));
            assertTrue(System.nanoTime() < deadline, "node " + id + " not up in 30 s:\n" + Files.readString(log));
            final AeronCluster client = cluster.connectedClient();
            if (null != client && !client.isClosed())
            {
                client.pollEgress();
                client.sendKeepAlive(); // a restart waits ~10 s for a dead node's mark files: the session lives on
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

    private void awaitEveryNodeApplied(final long records) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int id = 0; id < nodes.length; id++)
        {
            while (applied(id) < records)
            {
                assertTrue(System.nanoTime() < deadline, "node " + id + " never applied " + records + " records");
                cluster.client().pollEgress();
                Thread.sleep(20);
            }
        }
    }

    /** The node's applied-records counter, read from its media driver's counters. */
    private long applied(final int id)
    {
        final String label = ReplicatedService.LABEL_PREFIX + TOPIC + "/0";
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

}
