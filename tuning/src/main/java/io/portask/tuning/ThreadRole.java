package io.portask.tuning;

/**
 * The broker's threads that placement puts on CPUs, most latency-critical first (the order {@code auto} fills
 * them in), with the config key that places each.
 */
public enum ThreadRole
{
    /** The core agent: every request goes through it; busy-spins in DEDICATED mode. */
    CORE("portask-core", "portask.cpu.core", true),
    /** The TCP transport's event loop: reads and writes the sockets. */
    TRANSPORT("portask-transport", "portask.cpu.transport", true),
    /** The embedded Aeron media driver's thread (IPC to the gateway). */
    DRIVER("aeron-driver", "portask.cpu.driver", true),
    /** The Dragonfly write-behind agent: backs off when idle, needs no isolated core. */
    WRITE_BEHIND("portask-write-behind", "portask.cpu.writebehind", false);

    private final String threadName;
    private final String key;
    private final boolean critical;

    ThreadRole(final String threadName, final String key, final boolean critical)
    {
        this.threadName = threadName;
        this.key = key;
        this.critical = critical;
    }

    /**
     * @return the name of the thread that plays the role.
     */
    public String threadName()
    {
        return threadName;
    }

    /**
     * @return the config key that places it: a CPU number, {@code auto} or {@code none}.
     */
    public String key()
    {
        return key;
    }

    /**
     * @return whether it spins on the latency path and so wants an isolated core of its own.
     */
    public boolean critical()
    {
        return critical;
    }
}
