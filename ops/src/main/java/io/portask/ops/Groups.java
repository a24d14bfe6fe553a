package io.portask.ops;

import io.portask.client.Admin;
import io.portask.client.Consumer;
import io.portask.client.GroupDescription;
import io.portask.client.TopicPartition;

import java.io.PrintStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;

/**
 * {@code portask groups list | describe GROUP | delete GROUP | reset-offsets GROUP --topic T
 * --to-earliest|--to-latest|--to-offset N|--to-time T}: consumer groups, their members, and per partition the owner,
 * the committed offset, the high watermark and the lag; resetting a group's committed offsets on a topic, or
 * deleting the group, which the broker allows only while the group has no members.
 */
final class Groups
{
    private Groups()
    {
    }

    static int run(final String[] argv, final PrintStream out)
    {
        final Args args = new Args(argv, 1, Set.of("bootstrap", "topic", "to-offset", "to-time"),
            Set.of("to-earliest", "to-latest"));
        final String action = args.positional(0, "groups action: list, describe, reset-offsets or delete");
        try (Admin admin = Admin.connect(Portask.clientOptions(args)))
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
                case "reset-offsets" -> resetOffsets(admin, args, out);
                case "delete" ->
                {
                    final String group = args.positional(1, "GROUP");
                    out.println("deleted group " + group + " (committed offsets on " + admin.deleteGroup(group) +
                        " partition(s))");
                }
                default -> throw new Args.UsageException("unknown groups action '" + action + "'");
            }
        }
        return 0;
    }

    /**
     * @return epoch milliseconds of an ISO-8601 instant (2026-12-02T10:15:30Z) or of a number of them.
     */
    private static long parseTime(final String time)
    {
        try
        {
            return time.chars().allMatch(Character::isDigit) ?
                Long.parseLong(time) : Instant.parse(time).toEpochMilli();
        }
        catch (final DateTimeParseException | NumberFormatException ex)
        {
            throw new Args.UsageException("--to-time takes an instant like 2026-12-02T10:15:30Z or epoch " +
                "milliseconds, got '" + time + "'");
        }
    }

    private static void resetOffsets(final Admin admin, final Args args, final PrintStream out)
    {
        final String group = args.positional(1, "GROUP");
        final String topic = args.option("topic", null);
        if (null == topic)
        {
            throw new Args.UsageException("groups reset-offsets needs --topic T");
        }
        final boolean earliest = args.flag("to-earliest");
        final boolean latest = args.flag("to-latest");
        final String offset = args.option("to-offset", null);
        final String time = args.option("to-time", null);
        if ((earliest ? 1 : 0) + (latest ? 1 : 0) + (null == offset ? 0 : 1) + (null == time ? 0 : 1) != 1)
        {
            throw new Args.UsageException("give one of --to-earliest, --to-latest, --to-offset N or --to-time T");
        }
        final long timestampMs = null == time ? 0 : parseTime(time);
        final int partitions = admin.describeTopic(topic).partitions().size();
        try (Consumer committer = Consumer.builder(Portask.clientOptions(args)).group(group).build())
        {
            for (int p = 0; p < partitions; p++)
            {
                final TopicPartition tp = new TopicPartition(topic, p);
                final long[] offsets = admin.offsets(tp);
                final long target = earliest ? offsets[0] : latest ? offsets[1] :
                    null != time ? committer.offsetForTime(tp, timestampMs) :
                    Math.max(offsets[0], Math.min(offsets[1], Long.parseLong(offset)));
                committer.commit(tp, target);
                out.println(group + "\t" + topic + "/" + p + "\treset to " + target);
            }
        }
    }
}
