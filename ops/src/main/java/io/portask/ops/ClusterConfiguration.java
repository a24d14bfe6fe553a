package io.portask.ops;

import io.portask.config.Configuration;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The cluster keys (docs/replication.md): {@code portask.cluster.members}, every node's broker client address by
 * member id ({@code host:port,host:port,host:port}); {@code portask.cluster.node}, which of them this broker is;
 * {@code portask.cluster.port.base}, the first UDP port of the cluster's traffic (member i uses base + 10 i + 1..5
 * on its host). Without members the broker is not part of a cluster.
 */
final class ClusterConfiguration
{
    /** Every node's broker address, by member id. */
    static final String MEMBERS_PROP = "portask.cluster.members";
    /** This node's member id. */
    static final String NODE_PROP = "portask.cluster.node";
    /** The first port of member 0's block of cluster ports. */
    static final String PORT_BASE_PROP = "portask.cluster.port.base";
    /** Every key. */
    static final Set<String> KEYS = Set.of(MEMBERS_PROP, NODE_PROP, PORT_BASE_PROP);

    /**
     * What the configuration asks for.
     *
     * @param memberId        this node.
     * @param brokerAddresses every node's broker address, by member id.
     * @param basePort        the first cluster port.
     */
    record Settings(int memberId, List<String> brokerAddresses, int basePort)
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
        return new Settings(node, addresses, config.integer(PORT_BASE_PROP, 9000, 1024, 65_000));
    }
}
