package io.portask.client;

import java.util.concurrent.locks.LockSupport;

/**
 * How a client's threads wait: for an answer, for a record to send, for bytes on the socket.
 * <ul>
 *   <li>{@link #BLOCKING} (default): blocking socket reads on a reader thread, parked waiters. Least CPU; every
 *   answer costs two thread wake-ups (reader, then caller).</li>
 *   <li>{@link #BACKOFF}, {@link #YIELDING}, {@link #BUSY_SPIN}: a non-blocking socket, and the thread that waits
 *   for an answer reads the socket itself while nothing else is reading it ({@code sendSync}, a consumer's
 *   {@code poll}); the reader thread only reads when no caller is, and backs off. BUSY_SPIN takes a core per
 *   waiting thread: for latency-critical producers and consumers on hosts with cores to spare. Plaintext only:
 *   with TLS the client blocks as in BLOCKING.</li>
 * </ul>
 */
public enum ClientIdle
{
    /** Block and park (default). */
    BLOCKING,
    /** Spin, then yield, then park for 1 us growing to 100 us. */
    BACKOFF,
    /** Thread.yield between tries. */
    YIELDING,
    /** Thread.onSpinWait between tries: a core per waiting thread. */
    BUSY_SPIN;

    private static final int SPINS = 100;
    private static final int YIELDS = 100;
    private static final long MIN_PARK_NS = 1_000;
    private static final long MAX_PARK_NS = 100_000;

    /**
     * Wait once, the longer the more tries found nothing (BACKOFF).
     *
     * @param idleTries tries in a row that found nothing, from 0.
     */
    void idle(final int idleTries)
    {
        switch (this)
        {
            case BUSY_SPIN -> Thread.onSpinWait();
            case YIELDING -> Thread.yield();
            default ->
            {
                if (idleTries < SPINS)
                {
                    Thread.onSpinWait();
                }
                else if (idleTries < SPINS + YIELDS)
                {
                    Thread.yield();
                }
                else
                {
                    final int parks = Math.min(20, idleTries - SPINS - YIELDS);
                    LockSupport.parkNanos(Math.min(MAX_PARK_NS, MIN_PARK_NS << parks));
                }
            }
        }
    }
}
