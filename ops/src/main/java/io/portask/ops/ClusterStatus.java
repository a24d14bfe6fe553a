package io.portask.ops;

import io.portask.client.Admin;
import io.portask.client.ClientOptions;
import io.portask.client.ClusterMember;
import io.portask.client.PortaskException;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code portask cluster status [--bootstrap h1:p1,h2:p2,h3:p3]}: asks every node for its member id, the leader it
 * sees and the log position it applied; prints one line per node with its role and its lag behind the leader (log
 * bytes). Exit code 0 when a majority of the nodes answer and agree on one leader, else 1.
 */
final class ClusterStatus
{
    private ClusterStatus()
    {
    }

    static int run(final String[] argv, final PrintStream out)
    {
        final Args args = new Args(argv, 1, Set.of("bootstrap", "client-config"), Set.of());
        final String action = args.positional(0, "cluster action: status");
        if (!"status".equals(action))
        {
            throw new Args.UsageException("unknown cluster action '" + action + "' (status)");
        }
        final ClientOptions options = Portask.clientOptions(args);
        final List<String> addresses = options.addresses();
        final List<ClusterMember> members = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        for (final String address : addresses)
        {
            final ClientOptions one = ClientOptions.of(address).withRequestTimeout(Duration.ofSeconds(2));
            try (Admin admin = Admin.connect(null == options.tls() ? one : one.withTls(options.tls())))
            {
                members.add(admin.clusterMember());
                problems.add(null);
            }
            catch (final PortaskException ex)
            {
                members.add(null);
                problems.add(ex.getMessage());
            }
        }
        long leaderPosition = -1;
        int leader = -1;
        int agreeing = 0;
        for (final ClusterMember member : members)
        {
            if (null != member && member.isLeader())
            {
                leader = member.memberId();
                leaderPosition = member.logPosition();
            }
        }
        out.printf(Locale.ROOT, "%-24s %-7s %-10s %-7s %15s %12s%n", "node", "member", "role", "leader", "log position",
            "lag bytes");
        for (int i = 0; i < addresses.size(); i++)
        {
            final ClusterMember member = members.get(i);
            if (null == member)
            {
                out.printf(Locale.ROOT, "%-24s %-7s %-10s %s%n", addresses.get(i), "-",
                    null == problems.get(i) ? "no cluster" : "down", null == problems.get(i) ?
                    "(not a cluster node)" : problems.get(i));
                continue;
            }
            agreeing += member.leaderId() == leader && leader >= 0 ? 1 : 0;
            out.printf(Locale.ROOT, "%-24s %-7d %-10s %-7s %15d %12s%n", addresses.get(i), member.memberId(),
                member.isLeader() ? "leader" : member.leaderId() < 0 ? "electing" : "follower",
                member.leaderId() < 0 ? "-" : Integer.toString(member.leaderId()), member.logPosition(),
                leaderPosition < 0 ? "-" : Long.toString(Math.max(0, leaderPosition - member.logPosition())));
        }
        final boolean healthy = agreeing > addresses.size() / 2;
        out.println(healthy ? "leader: member " + leader + " (" + agreeing + " of " + addresses.size() + " agree)" :
            whyNoLeader(members, problems));
        return healthy ? 0 : 1;
    }

    /**
     * @param problems per node: why it did not answer, or null when it answered without being a cluster node.
     */
    private static String whyNoLeader(final List<ClusterMember> members, final List<String> problems)
    {
        if (members.stream().anyMatch(member -> null != member))
        {
            return "no leader a majority agrees on: writes to replicated topics are refused";
        }
        return problems.contains(null) ? "not a cluster: no node has portask.cluster.members" : "no node answered";
    }
}
