package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.Consumer;
import io.portask.client.ConsumerRecord;
import io.portask.client.OffsetReset;
import io.portask.client.Producer;
import io.portask.client.RebalanceListener;
import io.portask.client.RecordMetadata;
import io.portask.client.TopicPartition;
import io.portask.ops.PortaskCommands;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.StorageKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three real broker processes as one cluster (docs/replication.md): a replicated topic created through any node,
 * records acked at QUORUM through the SDK given every node's address, the same records at the same offsets served
 * by every node.
 */
class ReplicatedBrokerSystemTest
{
    private static final int KILLS = Integer.getInteger("portask.test.kills", 10);
    /** Kill the next leader at once, while the node restarted last may still be catching up (off by default). */
    private static final boolean NO_CATCH_UP = Boolean.getBoolean("portask.test.kill.during.catch.up");
    private static final RebalanceListener NO_REBALANCE_CALLBACKS = new RebalanceListener()
    {
    };

    @TempDir
    Path dir;

    @Test
    void shouldServeQuorumAckedRecordsFromEveryNode() throws Exception
    {
        try (ClusterNodes cluster = new ClusterNodes(dir).startAll())
        {
            assertTrue(cluster.awaitLeader() >= 0, "a leader is elected");
            try (Admin admin = Admin.connect(cluster.bootstrap()))
            {
                admin.createTopic("orders", 1, StorageKind.REPLICATED);
            }
            final TopicPartition tp = new TopicPartition("orders", 0);
            try (Producer producer = Producer.builder(cluster.bootstrap()).ackLevel(AckLevel.QUORUM).retries(1_000)
                .deliveryTimeout(Duration.ofSeconds(60)).build())
            {
                final List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
                for (int i = 0; i < 300; i++)
                {
                    sent.add(producer.send(tp, null, ("record " + i).getBytes(StandardCharsets.UTF_8), List.of()));
                }
                for (int i = 0; i < sent.size(); i++)
                {
                    assertEquals(i, sent.get(i).get(60, TimeUnit.SECONDS).offset(), "acked in order, dense");
                }
            }
            for (int node = 0; node < ClusterNodes.NODES; node++)
            {
                final List<ConsumerRecord> records = cluster.readAll(node, "orders");
                assertEquals(300, records.size(), "node " + node + " serves every record");
                for (int i = 0; i < records.size(); i++)
                {
                    assertEquals(i, records.get(i).offset());
                    assertEquals("record " + i, records.get(i).valueAsString());
                }
            }
            final int leader = cluster.awaitLeader();
            final ByteArrayOutputStream status = new ByteArrayOutputStream();
            assertEquals(0, PortaskCommands.run(new String[]{ "cluster", "status", "--bootstrap", cluster.bootstrap() },
                System.in, new PrintStream(status, true, StandardCharsets.UTF_8), System.err));
            final String table = status.toString(StandardCharsets.UTF_8);
            assertTrue(table.contains("leader: member " + leader + " (3 of 3 agree)") &&
                table.matches("(?s).*127\\.0\\.0\\.1:\\d+ +" + leader + " +leader .*"), table);
            final int follower = (leader + 1) % ClusterNodes.NODES;
            assertTrue(cluster.stopGracefully(follower), "a follower stops on SIGTERM while its peers run");
            assertTrue(cluster.stopGracefully(leader), "so does the leader");
        }
    }

    @Test
    void shouldKeepEveryAckedRecordOnceWhileTheLeaderIsKilledTenTimes() throws Exception
    {
        // snapshots every 2 s: restarts load one and replay the log after it
        try (ClusterNodes cluster = new ClusterNodes(dir, "-Dportask.cluster.snapshot.interval.ms=2000").startAll())
        {
            assertTrue(cluster.awaitLeader() >= 0, "a leader is elected");
            try (Admin admin = Admin.connect(cluster.bootstrap()))
            {
                admin.createTopic("orders", 1, StorageKind.REPLICATED);
            }
            final Sender sender = new Sender(cluster.bootstrap());
            final GroupReader reader = new GroupReader(cluster.bootstrap());
            sender.start();
            reader.start();
            final List<Long> failoverMs = new ArrayList<>();
            for (int kill = 0; kill < KILLS; kill++)
            {
                sender.awaitAcked(sender.acked() + 100, "acks go on before kill " + kill);
                final int leader = cluster.awaitLeader();
                assertTrue(leader >= 0, "a leader before kill " + kill);
                final long ackedBefore = sender.acked();
                cluster.kill(leader);
                final long killedAt = System.nanoTime();
                try
                {
                    // past the 32 that may have been in flight (answered by the old leader, still on the wire)
                    sender.awaitAcked(ackedBefore + Sender.WINDOW + 1, "an ack from the new leader after kill " + kill);
                }
                catch (final AssertionError ex)
                {
                    System.out.println("killed node " + leader + "; " + cluster.diagnostics());
                    throw ex;
                }
                failoverMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
                cluster.start(leader);
                if (!NO_CATCH_UP)
                {
                    awaitCaughtUp(cluster, leader, sender.acked());
                }
            }
            final int records = sender.finish();
            assertTrue(cluster.logs().contains("replicated state loaded from a snapshot"), "a restart used a snapshot");
            System.out.println("replicated kill test: " + records + " records, failover (kill -9 to the next ack) ms " +
                failoverMs);
            reader.awaitAll(records);
            for (int node = 0; node < ClusterNodes.NODES; node++)
            {
                final List<ConsumerRecord> stored = cluster.readAll(node, "orders");
                assertEquals(records, stored.size(), "node " + node + " holds every acked record once");
                for (int i = 0; i < records; i++)
                {
                    assertEquals(i, stored.get(i).offset(), "dense offsets on node " + node);
                    assertEquals(Integer.toString(i), stored.get(i).valueAsString(), "in order on node " + node);
                }
            }
            for (int node = 0; node < ClusterNodes.NODES; node++)
            {
                cluster.kill(node);
            }
            final byte[] first = cluster.journalBytes(0, "orders");
            for (int node = 1; node < ClusterNodes.NODES; node++)
            {
                assertArrayEquals(first, cluster.journalBytes(node, "orders"), "node " + node + "'s journal is 0's");
            }
        }
    }

    @Test
    void shouldStopAckingWithoutAMajorityAndResumeWhenANodeReturns() throws Exception
    {
        try (ClusterNodes cluster = new ClusterNodes(dir).startAll())
        {
            final int leader = cluster.awaitLeader();
            assertTrue(leader >= 0, "a leader is elected");
            try (Admin admin = Admin.connect(cluster.bootstrap()))
            {
                admin.createTopic("orders", 1, StorageKind.REPLICATED);
            }
            final TopicPartition tp = new TopicPartition("orders", 0);
            final int follower = (leader + 1) % ClusterNodes.NODES;
            final int survivor = (leader + 2) % ClusterNodes.NODES;
            try (Producer producer = Producer.builder(cluster.bootstrap()).ackLevel(AckLevel.QUORUM).retries(100_000)
                .retryBackoffMs(20).deliveryTimeout(Duration.ofMinutes(2)).build())
            {
                for (int i = 0; i < 50; i++)
                {
                    assertEquals(i, producer.send(tp, null, Integer.toString(i).getBytes(StandardCharsets.UTF_8),
                        List.of()).get(30, TimeUnit.SECONDS).offset());
                }
                cluster.kill(leader);
                cluster.kill(follower);
                final CompletableFuture<RecordMetadata> alone =
                    producer.send(tp, null, "50".getBytes(StandardCharsets.UTF_8), List.of());
                assertThrows(TimeoutException.class, () -> alone.get(10, TimeUnit.SECONDS),
                    "one node of three acks nothing: no majority, no split brain");
                assertEquals(50L, cluster.counter(survivor, "high watermark: orders/0"), "the survivor applied none");
                cluster.start(follower);
                assertEquals(50, alone.get(60, TimeUnit.SECONDS).offset(), "acks resume with a majority back");
            }
            for (final int node : new int[]{ survivor, follower })
            {
                final List<ConsumerRecord> stored = cluster.readAll(node, "orders");
                assertEquals(51, stored.size(), "node " + node + " holds every acked record once");
                assertEquals("50", stored.get(50).valueAsString());
            }
        }
    }

    private static void awaitCaughtUp(final ClusterNodes cluster, final int node, final long records)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Long watermark = cluster.counter(node, "high watermark: orders/0");
        while (null == watermark || watermark < records)
        {
            assertTrue(System.nanoTime() < deadline, "node " + node + " catches up to " + records + ", at " +
                watermark);
            Thread.sleep(50);
            watermark = cluster.counter(node, "high watermark: orders/0");
        }
    }

    /**
     * An idempotent producer at QUORUM sending "0", "1", ... continuously, 32 unanswered at most; every send must
     * be acked in the end, at the offset of its number.
     */
    private static final class Sender extends Thread
    {
        static final int WINDOW = 32;
        private final String bootstrap;
        private final List<CompletableFuture<RecordMetadata>> sent = new CopyOnWriteArrayList<>();
        private final AtomicLong acked = new AtomicLong();
        private volatile boolean running = true;
        private volatile Throwable failure;

        Sender(final String bootstrap)
        {
            super("replicated-sender");
            this.bootstrap = bootstrap;
        }

        public void run()
        {
            final TopicPartition tp = new TopicPartition("orders", 0);
            try (Producer producer = Producer.builder(bootstrap).ackLevel(AckLevel.QUORUM).retries(100_000)
                .retryBackoffMs(20).deliveryTimeout(Duration.ofMinutes(3)).build())
            {
                for (int i = 0; running; i++)
                {
                    if (i >= WINDOW)
                    {
                        sent.get(i - WINDOW).get(3, TimeUnit.MINUTES);
                    }
                    final CompletableFuture<RecordMetadata> future =
                        producer.send(tp, null, Integer.toString(i).getBytes(StandardCharsets.UTF_8), List.of());
                    future.thenRun(acked::incrementAndGet);
                    sent.add(future);
                }
                for (final CompletableFuture<RecordMetadata> future : sent)
                {
                    future.get(3, TimeUnit.MINUTES);
                }
            }
            catch (final Throwable ex)
            {
                failure = ex;
            }
        }

        long acked()
        {
            return acked.get();
        }

        void awaitAcked(final long count, final String what) throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (acked.get() < count)
            {
                assertNull(failure, what);
                assertTrue(System.nanoTime() < deadline, what + ": " + acked.get() + " acked, waiting for " + count);
                Thread.sleep(5);
            }
        }

        /**
         * @return records sent, each acked at the offset of its number.
         */
        int finish() throws Exception
        {
            running = false;
            join(TimeUnit.MINUTES.toMillis(4));
            if (null != failure)
            {
                throw new AssertionError("a send failed", failure);
            }
            for (int i = 0; i < sent.size(); i++)
            {
                assertEquals(i, sent.get(i).get().offset(), "record " + i + " acked once, in order, densely");
            }
            return sent.size();
        }
    }

    /**
     * A consumer group member reading the topic through the failovers: what it saw, by record number.
     */
    private static final class GroupReader extends Thread
    {
        private final String bootstrap;
        private final Set<String> seen = ConcurrentHashMap.newKeySet();
        private volatile boolean running = true;

        GroupReader(final String bootstrap)
        {
            super("replicated-reader");
            this.bootstrap = bootstrap;
            setDaemon(true);
        }

        public void run()
        {
            while (running)
            {
                try (Consumer consumer = Consumer.builder(bootstrap).group("audit")
                    .autoOffsetReset(OffsetReset.EARLIEST).build())
                {
                    consumer.subscribe(List.of("orders"), NO_REBALANCE_CALLBACKS);
                    while (running)
                    {
                        consumer.poll(Duration.ofMillis(200)).forEach(record -> seen.add(record.valueAsString()));
                    }
                }
                catch (final RuntimeException ex)
                {
                    System.out.println("group reader: " + ex + "; joining again");
                }
            }
        }

        void awaitAll(final int records) throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (seen.size() < records && System.nanoTime() < deadline)
            {
                Thread.sleep(50);
            }
            running = false;
            for (int i = 0; i < records; i++)
            {
                assertTrue(seen.contains(Integer.toString(i)), "the group saw record " + i + " (no gap)");
            }
        }
    }
}
