package io.portask.ops;

import io.portask.client.Admin;
import io.portask.client.Retention;
import io.portask.client.TopicDescription;
import io.portask.client.TopicListing;
import io.portask.config.Configuration;
import io.portask.protocol.StorageKinds;

import java.io.PrintStream;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * {@code portask topics list | describe T | create T | alter T | delete T}. Retention options take a duration
 * (500ms, 45s, 30m, 12h, 7d), a size (k, m, g), {@code unlimited}, or {@code default} (the broker's).
 */
final class Topics
{
    private Topics()
    {
    }

    static int run(final String[] argv, final PrintStream out)
    {
        final Args args = new Args(
            argv, 1, Set.of("bootstrap", "partitions", "storage", "retention", "retention-bytes"), Set.of());
        final String action = args.positional(0, "topics action: list, describe, create, alter or delete");
        final Retention retention = new Retention(
            retention(args, "retention", Configuration::parseDurationMs),
            retention(args, "retention-bytes", Configuration::parseSizeOrUnlimited));
        final int partitions = args.intOption("partitions", 1, 1, 4096);
        final io.portask.protocol.sbe.StorageKind storage = Portask.parseStorage(args.option("storage", "journal"));
        try (Admin admin = Admin.connect(Portask.clientOptions(args)))
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
                    out.println(description.name() + "\tstorage=" + StorageKinds.name(description.storage()) +
                        "\tretention=" + describe(description.retention().ms(), "ms") + "\tretention.bytes=" +
                        describe(description.retention().bytes(), "bytes"));
                    for (final TopicDescription.PartitionInfo partition : description.partitions())
                    {
                        out.println("  partition " + partition.partition() + "\tlog start " +
                            partition.logStartOffset() + "\thigh watermark " + partition.highWatermark());
                    }
                }
                case "create" ->
                {
                    final String name = args.positional(1, "TOPIC");
                    admin.createTopic(name, partitions, storage, retention);
                    out.println("created " + name + " with " + partitions + " partition(s)");
                }
                case "alter" ->
                {
                    final String name = args.positional(1, "TOPIC");
                    if (null == args.option("retention", null) && null == args.option("retention-bytes", null))
                    {
                        throw new Args.UsageException("topics alter needs --retention and/or --retention-bytes");
                    }
                    admin.alterRetention(name, new Retention(
                        null == args.option("retention", null) ? Retention.UNCHANGED : retention.ms(),
                        null == args.option("retention-bytes", null) ? Retention.UNCHANGED : retention.bytes()));
                    final Retention now = admin.describeTopic(name).retention();
                    out.println("altered " + name + ": retention=" + describe(now.ms(), "ms") + " retention.bytes=" +
                        describe(now.bytes(), "bytes"));
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

    private static long retention(final Args args, final String option, final ToLongFunction<String> parse)
    {
        final String value = args.option(option, "default");
        if ("default".equalsIgnoreCase(value))
        {
            return Retention.BROKER_DEFAULT;
        }
        try
        {
            return parse.applyAsLong(value);
        }
        catch (final IllegalArgumentException | ArithmeticException ex)
        {
            throw new Args.UsageException("--" + option + " must be " + ("retention".equals(option) ?
                "a duration (500ms, 45s, 30m, 12h, 7d)" : "a size (bytes, or with k, m, g)") +
                ", unlimited or default, got '" + value + "'");
        }
    }

    private static String describe(final long value, final String unit)
    {
        if (Retention.UNLIMITED == value || Retention.BROKER_DEFAULT == value)
        {
            return Retention.UNLIMITED == value ? "unlimited" : "default";
        }
        final long[] factors = "ms".equals(unit) ?
            new long[]{ 86_400_000L, 3_600_000L, 60_000L, 1000L } : new long[]{ 1L << 30, 1L << 20, 1L << 10 };
        final String[] suffixes =
            "ms".equals(unit) ? new String[]{ "d", "h", "m", "s" } : new String[]{ "g", "m", "k" };
        for (int i = 0; i < factors.length; i++)
        {
            if (0 == value % factors[i])
            {
                return value / factors[i] + suffixes[i];
            }
        }
        return value + ("ms".equals(unit) ? "ms" : "");
    }
}
