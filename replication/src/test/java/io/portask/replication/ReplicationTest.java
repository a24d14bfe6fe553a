package io.portask.replication;

import org.agrona.CloseHelper;
import org.agrona.collections.Long2LongHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

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
    private static final String TOPIC = ClusterFixture.TOPIC;

    @TempDir
    Path dir;

    private final ClusterNode[] nodes = new ClusterNode[ClusterFixture.HOSTS.size()];
    private ClusterFixture cluster;
    private Long2LongHashMap answers;

    @AfterEach
    void stop()
    {
        CloseHelper.quietClose(cluster);
        CloseHelper.quietCloseAll(nodes);
    }

    @Test
    void shouldCommitAppendsInOrderOnEveryNodeAcrossALeaderFailover() throws Exception
    {
        startCluster();
        appendAndAwait(0, 100);
        final int oldLeader = cluster.client().leaderMemberId();
        assertTrue(nodes[oldLeader].takeSnapshot());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (final ClusterNode node : nodes)
        {
            while (node.snapshots() < 1) // the old leader restarts from this snapshot, then replays the log after it
            {
                assertTrue(System.nanoTime() < deadline, "no snapshot within 30 s");
                cluster.client().pollEgress();
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
        int lastLeader = cluster.client().leaderMemberId();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (oldestUnanswered < total)
        {
            assertTrue(System.nanoTime() < deadline, "appends not all answered in 60 s; oldest " + oldestUnanswered);
            if (!leaderStopped && oldestUnanswered >= total / 3 && nextToSend > oldestUnanswered)
            {
                // the appends in flight are committed (a follower applied them), then the leader goes and their
                // answers with it: the client must send them again, and each must still be stored once
                lastLeader = cluster.client().leaderMemberId();
                final ClusterNode follower = nodes[(lastLeader + 1) % nodes.length];
                while (follower.service().highWatermark(TOPIC + "/0") < nextToSend)
                {
                    assertTrue(System.nanoTime() < deadline, "in-flight appends never committed");
                    cluster.client().pollEgress();
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
            if (cluster.client().leaderMemberId() != lastLeader && leaderStopped)
            {
                lastLeader = cluster.client().leaderMemberId();
                nextToSend = oldestUnanswered; // send again everything unanswered, in order
            }
            while (nextToSend < total && nextToSend < oldestUnanswered + inFlight &&
                cluster.offer(nextToSend, 7, nextToSend))
            {
                nextToSend++;
            }
            cluster.client().pollEgress();
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

    private void startCluster()
    {
        cluster = new ClusterFixture(dir);
        answers = cluster.answers;
        for (int id = 0; id < nodes.length; id++)
        {
            nodes[id] = launch(id);
        }
    }

    private void assertJournalsIdentical(final long records)
    {
        cluster.close();
        for (int id = 0; id < nodes.length; id++)
        {
            nodes[id].close();
            nodes[id] = null;
        }
        cluster.assertJournalsIdentical(nodes.length, records);
    }

    private ClusterNode launch(final int id)
    {
        return ClusterNode.launch(id, ClusterFixture.HOSTS, cluster.basePort, dir.resolve("node" + id).toFile(),
            ClusterFixture.MAX_BATCH,
            Throwable::printStackTrace);
    }

    /** Appends one at a time, each answered before the next: so no append is in doubt when a leader goes. */
    private void appendAndAwait(final long fromOffset, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final long correlationId = fromOffset + i;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!cluster.offer(correlationId, -1, 0))
            {
                cluster.client().pollEgress();
                assertTrue(System.nanoTime() < deadline, "the cluster took no append for 30 s");
                Thread.yield();
            }
            while (-1 == answers.get(correlationId))
            {
                if (0 == cluster.client().pollEgress())
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
        while (cluster.client().leaderMemberId() == oldLeader)
        {
            cluster.client().pollEgress();
            assertTrue(System.nanoTime() < deadline, "no new leader within 30 s");
            Thread.yield();
        }
        assertNotEquals(oldLeader, cluster.client().leaderMemberId());
    }

    private void awaitEveryNodeHolds(final long records) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (final ClusterNode node : nodes)
        {
            while (node.service().highWatermark(TOPIC + "/0") < records)
            {
                assertTrue(System.nanoTime() < deadline, "a node never caught up to " + records + " records");
                Thread.sleep(10);
            }
        }
    }

}
