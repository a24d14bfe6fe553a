package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.Consumer;
import io.portask.client.ConsumerRecord;
import io.portask.client.OffsetReset;
import io.portask.client.TopicPartition;
import io.portask.ops.CountersFile;
import io.portask.testsupport.BrokerProcess;
import io.portask.testsupport.FreePorts;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Three broker processes forming a cluster on loopback (docs/replication.md): each its own data folder, client port
 * and block of cluster UDP ports; started, killed and restarted by member id.
 */
final class ClusterNodes implements AutoCloseable
{
    static final int NODES = 3;

    private final Path dir;
    private final int[] ports = new int[NODES];
    private final int basePort = FreePorts.udpBlock(10 * NODES + 6);
    private final BrokerProcess[] brokers = new BrokerProcess[NODES];
    private final String members;

    ClusterNodes(final Path dir) throws IOException
    {
        this.dir = dir;
        for (int i = 0; i < NODES; i++)
        {
            ports[i] = FreePorts.next();
        }
        members = java.util.Arrays.stream(ports).mapToObj(port -> "127.0.0.1:" + port)
            .collect(Collectors.joining(","));
    }

    /**
     * @return every node's address, for a client's bootstrap.
     */
    String bootstrap()
    {
        return members;
    }

    ClusterNodes startAll() throws IOException
    {
        for (int i = 0; i < NODES; i++)
        {
            start(i);
        }
        return this;
    }

    void start(final int node) throws IOException
    {
        brokers[node] = new BrokerProcess(dir.resolve("node" + node), ports[node],
            "-Dportask.cluster.members=" + members, "-Dportask.cluster.node=" + node,
            "-Dportask.cluster.port.base=" + basePort).start();
    }

    void kill(final int node) throws InterruptedException
    {
        brokers[node].kill();
    }

    BrokerProcess broker(final int node)
    {
        return brokers[node];
    }

    /**
     * @return the node's counter with this label, or null when it has none (or its counters file is gone).
     */
    Long counter(final int node, final String label)
    {
        return CountersFile.read(brokers[node].dataDir().resolve("aeron").toFile()).get(label);
    }

    /**
     * @return the member id of the node that leads as the live nodes see it, once they agree; -1 within 30 s.
     */
    int awaitLeader() throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline)
        {
            for (int i = 0; i < NODES; i++)
            {
                if (brokers[i].isAlive() && Long.valueOf(i).equals(counter(i, "cluster leader")))
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
        final String address = "127.0.0.1:" + ports[node];
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
     * Stop every node (kill -9: a graceful stop waits for peers that may be gone).
     */
    public void close()
    {
        for (final BrokerProcess broker : brokers)
        {
            if (null != broker && broker.isAlive())
            {
                try
                {
                    broker.kill();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
