package io.portask.transport;

import org.agrona.concurrent.status.AtomicCounter;

import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * How the transport's event loop sleeps once its idle strategy has spun and yielded without finding work: in
 * epoll, so a TCP request wakes it at once, for at most {@link #tickNs()} (the agents on the loop have timers).
 * Work that comes with no file descriptor must wake it: from another process (a gateway's request over Aeron IPC)
 * by a ring on the doorbell socket, which it does when the {@link #asleep()} counter reads 1
 * ({@link io.portask.protocol.IpcStreams#DOORBELL_FILE}); from another thread of the broker (an answer from
 * Dragonfly, an admin action done) by {@link #wake()}.
 * <p>
 * Threading: {@link #wake()} from any thread; the rest is set up before the transport starts.
 */
public final class IdleSleep
{
    private static final Runnable NOTHING = () ->
    {
    };

    private final BooleanSupplier allowed;
    private final long tickNs;
    private final Path doorbell;
    private final AtomicCounter asleep;
    private final AtomicCounter rings;
    private volatile Executor loop;

    /**
     * @param allowed  whether the loop may sleep now (the idle kind an operator may change while the broker runs);
     *                 when false it idles by its strategy alone.
     * @param tickNs   the longest sleep.
     * @param doorbell the doorbell socket's path, or null for none.
     * @param asleep   1 while the loop sleeps.
     * @param rings    counts bytes rung on the doorbell.
     */
    public IdleSleep(
        final BooleanSupplier allowed,
        final long tickNs,
        final Path doorbell,
        final AtomicCounter asleep,
        final AtomicCounter rings)
    {
        if (tickNs <= 0)
        {
            throw new IllegalArgumentException("tickNs must be positive, got " + tickNs);
        }
        this.allowed = Objects.requireNonNull(allowed, "allowed");
        this.tickNs = tickNs;
        this.doorbell = doorbell;
        this.asleep = Objects.requireNonNull(asleep, "asleep");
        this.rings = Objects.requireNonNull(rings, "rings");
    }

    /**
     * Wake the loop if it sleeps: call after handing it work from another thread. Costs a volatile read when the
     * loop is awake; a queued no-op task (Netty's own wake-up) when it sleeps.
     */
    public void wake()
    {
        final Executor executor = loop;
        if (null != executor && 1 == asleep.get())
        {
            executor.execute(NOTHING);
        }
    }

    void loop(final Executor executor)
    {
        this.loop = executor;
    }

    BooleanSupplier allowed()
    {
        return allowed;
    }

    long tickNs()
    {
        return tickNs;
    }

    Path doorbell()
    {
        return doorbell;
    }

    AtomicCounter asleep()
    {
        return asleep;
    }

    AtomicCounter rings()
    {
        return rings;
    }
}
