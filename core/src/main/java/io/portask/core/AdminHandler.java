package io.portask.core;

import io.portask.protocol.sbe.AdminAction;

/**
 * Carries out operator actions for the core agent (the broker wires it to the components that own them, such as
 * the Dragonfly write-behind). Called on the core agent's thread; implementations only flip state that its
 * owner reads, and return at once.
 */
@FunctionalInterface
public interface AdminHandler
{
    /** Refuses every action: nothing to administer. */
    AdminHandler NONE = action ->
    {
        throw new IllegalStateException("this broker has nothing to " + action.name().toLowerCase(java.util.Locale.ROOT)
            .replace('_', ' ') + " (is portask.dragonfly.host set?)");
    };

    /**
     * @param action what to do.
     * @return the resulting state, for the answer.
     * @throws IllegalStateException when the action does not apply to this broker.
     */
    String onAdmin(AdminAction action);
}
