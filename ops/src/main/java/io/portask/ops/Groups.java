package io.portask.ops;

import io.portask.client.Admin;
import io.portask.client.GroupDescription;

import java.io.PrintStream;
import java.util.Map;
import java.util.Set;

/**
 * {@code portask groups list | describe GROUP}: consumer groups, their members, and per partition the owner, the
 * committed offset, the high watermark and the lag.
 */
final class Groups
{
    private Groups()
    {
    }

    static int run(final String[] argv, final PrintStream out)
    {
        final Args args = new Args(argv, 1, Set.of("bootstrap"), Set.of());
        final String action = args.positional(0, "groups action: list or describe");
        try (Admin admin = Admin.connect(Portask.bootstrap(args)))
        {
            switch (action)
            {
                case "list" ->
                {
                    for (final Map.Entry<String, Integer> group : admin.listGroups().entrySet())
                    {
                        out.println(group.getKey() + "\tmembers=" + group.getValue());
                    }
                }
                case "describe" ->
                {
                    final GroupDescription group = admin.describeGroup(args.positional(1, "GROUP"));
                    out.println(group.name() + "\tmembers=" + group.members().size() + "\tlag=" + group.totalLag());
                    for (final GroupDescription.Member member : group.members())
                    {
                        out.println("  member " + member.memberId() + "\tepoch " + member.memberEpoch());
                    }
                    for (final GroupDescription.PartitionLag partition : group.partitions())
                    {
                        out.println("  " + partition.topic() + "/" + partition.partition() + "\towner " +
                            (partition.owner().isEmpty() ? "-" : partition.owner()) + "\tcommitted " +
                            partition.committedOffset() + "\thigh watermark " + partition.highWatermark() +
                            "\tlag " + partition.lag());
                    }
                }
                default -> throw new Args.UsageException("unknown groups action '" + action + "'");
            }
        }
        return 0;
    }
}
