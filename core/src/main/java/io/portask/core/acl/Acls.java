package io.portask.core.acl;

import java.util.List;
import java.util.Set;

/**
 * The broker's access rules at one moment: deny wins over allow; nothing allowed unless a rule allows it; super
 * users may do everything. When disabled, everything is allowed (a broker without authorization).
 *
 * @param enabled    whether requests are checked.
 * @param superUsers principals that may do everything.
 * @param rules      the rules.
 */
public record Acls(boolean enabled, Set<String> superUsers, List<Acl> rules)
{
    /** No checks at all. */
    public static final Acls DISABLED = new Acls(false, Set.of(), List.of());

    /**
     * @return whether the principal may do the operation on the resource.
     */
    public boolean allowed(
        final String principal, final Acl.Operation operation, final Acl.ResourceType type, final String resource)
    {
        if (!enabled || superUsers.contains(principal))
        {
            return true;
        }
        boolean allowed = false;
        for (final Acl rule : rules)
        {
            if (rule.matches(principal, operation, type, resource))
            {
                if (!rule.allow())
                {
                    return false;
                }
                allowed = true;
            }
        }
        return allowed;
    }
}
