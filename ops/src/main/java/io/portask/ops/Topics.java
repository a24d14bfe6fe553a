package io.portask.ops;

import io.portask.client.Admin;
import io.portask.client.TopicDescription;
import io.portask.client.TopicListing;
import io.portask.protocol.StorageKinds;

import java.io.PrintStream;
import java.util.Set;

/**
 * {@code portask topics list | describe T | create T | delete T}.
 */
final class Topics
{
    private Topics()
    {
    }

    static int run(final String[] argv, final PrintStream out)
    {
        final Args args = new Args(argv, 1, Set.of("bootstrap", "partitions", "storage"), Set.of());
        final String action = args.positional(0, "topics action: list, describe, create or delete");
        final int partitions = args.intOption("partitions", 1, 1, 4096);
        final io.portask.protocol.sbe.StorageKind storage = Portask.parseStorage(args.option("storage", "journal"));
        try (Admin admin = Admin.connect(Portask.bootstrap(args)))
        {
            switch (action)
            {
                case "list" ->
                {
                    for (final TopicListing topic : admin.listTopics())
                    {
                        out.println(Portask.describe(topic));
                    }
                }
                case "describe" ->
                {
                    final TopicDescription description = admin.describeTopic(args.positional(1, "TOPIC"));
                    out.println(description.name() + "\tstorage=" +
                        StorageKinds.name(description.storage()));
                    for (final TopicDescription.PartitionInfo partition : description.partitions())
                    {
                        out.println("  partition " + partition.partition() + "\tlog start " +
                            partition.logStartOffset() + "\thigh watermark " + partition.highWatermark());
                    }
                }
                case "create" ->
                {
                    final String name = args.positional(1, "TOPIC");
                    admin.createTopic(name, partitions, storage);
                    out.println("created " + name + " with " + partitions + " partition(s)");
                }
                case "delete" ->
                {
                    final String name = args.positional(1, "TOPIC");
                    admin.deleteTopic(name);
                    out.println("deleted " + name);
                }
                default -> throw new Args.UsageException("unknown topics action '" + action + "'");
            }
        }
        return 0;
    }
}
