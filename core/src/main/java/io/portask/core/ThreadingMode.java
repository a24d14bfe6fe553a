package io.portask.core;

/**
 * How the broker's agents map onto threads (DESIGN.md section 3).
 */
public enum ThreadingMode
{
    /** All agents on one thread: the default on small machines, with a backoff idle strategy. */
    SHARED,
    /** One thread per agent, each pinned to a core when the host allows, busy-spinning. */
    DEDICATED,
    /** The core agent is driven by the caller: for tests and embedding. */
    INVOKER
}
