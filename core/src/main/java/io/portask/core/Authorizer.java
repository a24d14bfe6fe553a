package io.portask.core;

import io.portask.core.acl.Acl;
import io.portask.core.acl.Acls;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.Object2IntHashMap;
import org.agrona.collections.Object2ObjectHashMap;

import java.util.function.Supplier;

/**
 * Checks each request against the ACLs for its principal: the connection's, or the caller a gateway acts for (a
 * ProxiedRequest on its IPC connection). A principal's decisions on a topic are computed once (every operation at
 * once, as bits) and kept until the ACLs change, so the produce path looks up two maps (by principal, by the Topic
 * object) and allocates nothing. New ACLs are picked up from the source
 * each duty cycle (a volatile read) and apply to open connections at once.
 * <p>
 * Threading: the core agent only; the source is published by another thread.
 */
final class Authorizer
{
    private static final int UNKNOWN = -1;

    private final Supplier<Acls> source;
    private final Long2ObjectHashMap<String> principals = new Long2ObjectHashMap<>();
    /** Decisions by principal, then by topic. */
    private final Object2ObjectHashMap<String, Object2IntHashMap<Topic>> grants = new Object2ObjectHashMap<>();
    private Acls acls;
    /** Who a gateway's proxied request acts for, while it is handled; else null. */
    private String actingFor;

    Authorizer(final Supplier<Acls> source)
    {
        this.source = source;
        this.acls = source.get();
    }

    /**
     * The transport authenticated a connection: its decisions are made again for the new principal.
     */
    void onAuthenticated(final long connectionId, final String principal)
    {
        principals.put(connectionId, principal);
    }

    /**
     * @param principal who the next requests act for (a gateway's caller), or null to go back to the connection's.
     */
    void actFor(final String principal)
    {
        actingFor = principal;
    }

    /**
     * @return who the request acts for: a gateway's caller, else who the connection authenticated as, else
     *         ANONYMOUS.
     */
    String principal(final long connectionId)
    {
        if (null != actingFor)
        {
            return actingFor;
        }
        final String principal = principals.get(connectionId);
        return null == principal ? ConnectionHandler.ANONYMOUS : principal;
    }

    /**
     * Duty cycle: take new ACLs when there are any.
     *
     * @return 1 when they changed.
     */
    int doWork()
    {
        final Acls now = source.get();
        if (now == acls)
        {
            return 0;
        }
        acls = now;
        grants.values().forEach(Object2IntHashMap::clear);
        return 1;
    }

    boolean enabled()
    {
        return acls.enabled();
    }

    /**
     * The hot-path check: allocation-free once the connection's decisions on the topic are known.
     */
    boolean allowed(final long connectionId, final Acl.Operation operation, final Topic topic)
    {
        if (!acls.enabled())
        {
            return true;
        }
        final String principal = principal(connectionId);
        Object2IntHashMap<Topic> byTopic = grants.get(principal);
        if (null == byTopic)
        {
            byTopic = new Object2IntHashMap<>(UNKNOWN);
            grants.put(principal, byTopic);
        }
        int bits = byTopic.getValue(topic);
        if (UNKNOWN == bits)
        {
            bits = 0;
            for (final Acl.Operation op : Acl.Operation.values())
            {
                if (acls.allowed(principal, op, Acl.ResourceType.TOPIC, topic.name()))
                {
                    bits |= 1 << op.ordinal();
                }
            }
            byTopic.put(topic, bits);
        }
        return 0 != (bits & (1 << operation.ordinal()));
    }

    /**
     * The general check (a topic that does not exist, a group, the cluster).
     */
    boolean allowed(
        final long connectionId, final Acl.Operation operation, final Acl.ResourceType type, final String name)
    {
        return acls.allowed(principal(connectionId), operation, type, name);
    }

    /**
     * @return what NOT_AUTHORIZED says: who may not do what on which resource.
     */
    String denied(final long connectionId, final Acl.Operation operation, final Acl.ResourceType type,
        final String name)
    {
        return "principal " + principal(connectionId) + " may not " +
            operation.name().toLowerCase(java.util.Locale.ROOT) + " " +
            (Acl.ResourceType.CLUSTER == type ? "the cluster" :
            type.name().toLowerCase(java.util.Locale.ROOT) + " " + name);
    }

    void onConnectionClosed(final long connectionId)
    {
        principals.remove(connectionId);
    }
}
