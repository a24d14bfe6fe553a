package io.portask.ops;

import io.portask.config.Configuration;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The cluster keys (docs/replication.md): {@code portask.cluster.members}, every node's broker client address by
 * member id ({@code host:port,host:port,host:port}); {@code portask.cluster.node}, which of them this broker is;
 * {@code portask.cluster.port.base}, the first UDP port of the cluster's traffic (member i uses base + 10 i + 1..5
 * on its host); {@code portask.cluster.snapshot.interval.ms}, how often the leader has every node snapshot its
 * state (10 minutes by default); {@code portask.cluster.max.park.us}, the longest park of the cluster's threads
 * (100 us). Without members the broker is not part of a cluster.
 */
final class ClusterConfiguration
{
    /** Every node's broker address, by member id. */
    static final String MEMBERS_PROP = "portask.cluster.members";
    /** This node's member id. */
    static final String NODE_PROP = "portask.cluster.node";
    /** The first port of member 0's block of cluster ports. */
    static final String PORT_BASE_PROP = "portask.cluster.port.base";
    /** How often the leader has every node snapshot its state, so a restart replays only the log after it. */
    static final String SNAPSHOT_INTERVAL_MS_PROP = "portask.cluster.snapshot.interval.ms";
    /** The longest park of the cluster's threads when idle: what an idle cluster may add to an ack, per hop. */
    static final String MAX_PARK_US_PROP = "portask.cluster.max.park.us";
    /** Every key. */
    static final Set<String> KEYS =
        Set.of(MEMBERS_PROP, NODE_PROP, PORT_BASE_PROP, SNAPSHOT_INTERVAL_MS_PROP, MAX_PARK_US_PROP);

    /**
     * What the configuration asks for.
     *
     * @param memberId        this node.
     * @param brokerAddresses every node's broker address, by member id.
     * @param basePort        the first cluster port.
     * @param snapshotMs      the time between two snapshots.
     * @param maxParkNs       the longest park of the cluster's threads.
     */
    record Settings(int memberId, List<String> brokerAddresses, int basePort, long snapshotMs, long maxParkNs)
    {
    }

    private ClusterConfiguration()
    {
    }

    /**
     * @return the cluster settings, or null when no members are configured.
     */
    static Settings settings(final Configuration config)
    {
        final String members = config.string(MEMBERS_PROP, null);
        if (null == members)
        {
            return null;
        }
        final List<String> addresses = Arrays.stream(members.split(",")).map(String::trim).toList();
        for (final String address : addresses)
        {
            final int colon = address.lastIndexOf(':');
            if (colon < 1 || !address.substring(colon + 1).matches("[0-9]{1,5}"))
            {
                throw config.invalid(MEMBERS_PROP, members, "host:port of every node's broker, comma-separated, " +
                    "by member id (e.g. 10.0.0.1:7070,10.0.0.2:7070,10.0.0.3:7070)");
            }
        }
        if (addresses.size() < 3 || addresses.size() % 2 == 0)
        {
            throw config.invalid(MEMBERS_PROP, members, "an odd number of nodes, at least 3");
        }
        final int node = config.integer(NODE_PROP, -1, 0, addresses.size() - 1);
        if (node < 0)
        {
            throw config.invalid(NODE_PROP, "unset", "this broker's member id, 0 to " + (addresses.size() - 1));
        }
        return new Settings(node, addresses, config.integer(PORT_BASE_PROP, 9000, 1024, 65_000),
            config.longValue(SNAPSHOT_INTERVAL_MS_PROP, 600_000, 1_000, 86_400_000),
            1_000L * config.integer(MAX_PARK_US_PROP, 100, 1, 100_000));
    }
}
