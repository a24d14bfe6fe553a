package io.portask.core.acl;

import java.util.Locale;

/**
 * One access rule: allow or deny a principal (or everyone, {@code *}) an operation on a resource — a topic or group
 * by its name or a name prefix, or the cluster. As a line of {@code DATA/security/acls}:
 * {@code allow writer produce topic orders} or {@code deny * consume topic-prefix secret.}.
 *
 * @param allow     allow, else deny.
 * @param principal who, or {@code *}.
 * @param operation what.
 * @param type      on what kind of resource.
 * @param name      its name, or the prefix of names (empty for the cluster).
 * @param prefix    whether {@code name} is a prefix.
 */
public record Acl(boolean allow, String principal, Operation operation, ResourceType type, String name, boolean prefix)
{
    /** Operations an ACL allows or denies. */
    public enum Operation
    {
        PRODUCE, CONSUME, CREATE, DELETE, ALTER, DESCRIBE, ADMIN
    }

    /** Kinds of resource. */
    public enum ResourceType
    {
        TOPIC, GROUP, CLUSTER
    }

    /**
     * @return whether this rule speaks about that principal, operation and resource. DESCRIBE is implied by every
     *         other operation on the same resource, as in Kafka.
     */
    public boolean matches(final String who, final Operation op, final ResourceType on, final String resource)
    {
        return (principal.equals("*") || principal.equals(who)) &&
            (operation == op || (Operation.DESCRIBE == op && allow)) &&
            type == on && (ResourceType.CLUSTER == on || (prefix ? resource.startsWith(name) : resource.equals(name)));
    }

    /**
     * @param line e.g. "allow writer produce topic orders", "deny * consume topic-prefix secret.",
     *             "allow ops admin cluster".
     * @return the rule.
     * @throws IllegalArgumentException naming what is wrong.
     */
    public static Acl parse(final String line)
    {
        final String[] words = line.trim().split("\\s+");
        if (words.length < 4 || (!"cluster".equals(words[3]) && words.length != 5))
        {
            throw new IllegalArgumentException("an ACL is: allow|deny PRINCIPAL|* OPERATION " +
                "topic|topic-prefix|group|group-prefix NAME, or allow|deny PRINCIPAL|* OPERATION cluster; got '" +
                line.trim() + "'");
        }
        if (!"allow".equals(words[0]) && !"deny".equals(words[0]))
        {
            throw new IllegalArgumentException("an ACL starts with allow or deny, got '" + words[0] + "'");
        }
        final Operation operation;
        try
        {
            operation = Operation.valueOf(words[2].toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("unknown operation '" + words[2] + "': produce, consume, create, " +
                "delete, alter, describe or admin", ex);
        }
        final String kind = words[3];
        final ResourceType type = switch (kind)
        {
            case "topic", "topic-prefix" -> ResourceType.TOPIC;
            case "group", "group-prefix" -> ResourceType.GROUP;
            case "cluster" -> ResourceType.CLUSTER;
            default -> throw new IllegalArgumentException("unknown resource '" + kind + "': topic, topic-prefix, " +
                "group, group-prefix or cluster");
        };
        return new Acl("allow".equals(words[0]), words[1], operation, type, type == ResourceType.CLUSTER ? "" :
            words[4], kind.endsWith("-prefix"));
    }

    /**
     * @return the line {@link #parse} reads.
     */
    public String toString()
    {
        final String resource = ResourceType.CLUSTER == type ? "cluster" :
            type.name().toLowerCase(Locale.ROOT) + (prefix ? "-prefix " : " ") + name;
        return (allow ? "allow " : "deny ") + principal + " " + operation.name().toLowerCase(Locale.ROOT) + " " +
            resource;
    }
}
