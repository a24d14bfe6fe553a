package io.portask.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Broker processes forming one cluster on loopback (docs/replication.md): each with its own data folder, client
 * port and block of cluster UDP ports; started, killed and restarted by member id.
 */
public final class ClusterProcesses implements AutoCloseable
{
    private final Path dir;
    private final int[] ports;
    private final int basePort;
    private final BrokerProcess[] brokers;
    private final String members;
    private final String[] extraProperties;

    /**
     * @param dir             where the nodes' data folders go (node0, node1, ...).
     * @param nodes           how many (odd, at least 3).
     * @param extraProperties more -D flags for every node.
     */
    public ClusterProcesses(final Path dir, final int nodes, final String... extraProperties) throws IOException
    {
        this.dir = Files.createDirectories(dir);
        this.ports = new int[nodes];
        this.brokers = new BrokerProcess[nodes];
        this.basePort = FreePorts.udpBlock(10 * nodes + 6);
        this.extraProperties = extraProperties;
        for (int i = 0; i < nodes; i++)
        {
            ports[i] = FreePorts.next();
        }
        members = Arrays.stream(ports).mapToObj(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    }

    /**
     * @return every node's address, comma-separated: a client's bootstrap.
     */
    public String bootstrap()
    {
        return members;
    }

    /**
     * @return one node's address.
     */
    public String address(final int node)
    {
        return "127.0.0.1:" + ports[node];
    }

    public int size()
    {
        return ports.length;
    }

    public ClusterProcesses startAll() throws IOException
    {
        for (int i = 0; i < ports.length; i++)
        {
            start(i);
        }
        return this;
    }

    /**
     * Start (or restart) a node; returns once it listens (after waiting out a killed predecessor's mark files).
     */
    public void start(final int node) throws IOException
    {
        final String[] properties = Arrays.copyOf(extraProperties, extraProperties.length + 3);
        properties[extraProperties.length] = "-Dportask.cluster.members=" + members;
        properties[extraProperties.length + 1] = "-Dportask.cluster.node=" + node;
        properties[extraProperties.length + 2] = "-Dportask.cluster.port.base=" + basePort;
        brokers[node] = new BrokerProcess(dir.resolve("node" + node), ports[node], properties).start();
    }

    /**
     * kill -9.
     */
    public void kill(final int node) throws InterruptedException
    {
        brokers[node].kill();
    }

    public BrokerProcess broker(final int node)
    {
        return brokers[node];
    }

    /**
     * Kill every node that runs (a graceful stop would wait for peers that may be gone).
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
