package io.portask.core;

import io.portask.protocol.sbe.AdminAction;

import java.util.concurrent.CompletableFuture;

/**
 * Carries out operator actions for the core agent (the broker wires it to the components that own them, such as
 * the Dragonfly write-behind, or its configuration). Called on the core agent's thread: an implementation flips
 * state that its owner reads and answers with a completed future, or hands slow work (a configuration reload reads
 * files) to a thread of its own and completes the future there; the core answers the client when it completes.
 */
@FunctionalInterface
public interface AdminHandler
{
    /** Refuses every action: nothing to administer. */
    AdminHandler NONE = action ->
    {
        throw new IllegalStateException("this broker has nothing to " + action.name().toLowerCase(java.util.Locale.ROOT)
            .replace('_', ' '));
    };

    /**
     * @param action what to do.
     * @return the resulting state, for the answer; completed exceptionally with an {@link IllegalStateException} when
     *         the action could not be carried out.
     * @throws IllegalStateException when the action does not apply to this broker.
     */
    CompletableFuture<String> onAdmin(AdminAction action);
}
