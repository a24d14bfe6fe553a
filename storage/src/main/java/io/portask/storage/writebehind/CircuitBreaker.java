package io.portask.storage.writebehind;

import org.agrona.concurrent.status.AtomicCounter;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Closed, open, half-open. Closed lets every request through and opens after {@code failureThreshold}
 * consecutive failures. Open refuses everything until its backoff has passed (exponential, with +-20% jitter so
 * several brokers do not retry in step), then turns half-open and lets exactly one probe through: its success
 * closes the circuit and resets the backoff, its failure opens it again for twice as long, up to the maximum.
 * <p>
 * Threading: the write-behind agent only; the state is published in a counter (0 closed, 1 open, 2 half-open).
 */
final class CircuitBreaker
{
    static final int CLOSED = 0;
    static final int OPEN = 1;
    static final int HALF_OPEN = 2;

    private final int failureThreshold;
    private final long initialBackoffNs;
    private final long maxBackoffNs;
    private final AtomicCounter stateCounter;
    private int state = CLOSED;
    private int consecutiveFailures;
    private long backoffNs;
    private long openUntilNs;
    private boolean probeInFlight;

    CircuitBreaker(
        final int failureThreshold, final long initialBackoffNs, final long maxBackoffNs, final AtomicCounter state)
    {
        this.failureThreshold = failureThreshold;
        this.initialBackoffNs = initialBackoffNs;
        this.maxBackoffNs = maxBackoffNs;
        this.backoffNs = initialBackoffNs;
        this.stateCounter = state;
        state.setRelease(CLOSED);
    }

    /**
     * @param nowNs the agent's clock.
     * @return true when a request may go out now.
     */
    boolean tryAcquire(final long nowNs)
    {
        if (OPEN == state && nowNs - openUntilNs >= 0)
        {
            state(HALF_OPEN);
        }
        if (HALF_OPEN == state)
        {
            if (probeInFlight)
            {
                return false;
            }
            probeInFlight = true;
            return true;
        }
        return CLOSED == state;
    }

    void onSuccess()
    {
        consecutiveFailures = 0;
        backoffNs = initialBackoffNs;
        probeInFlight = false;
        state(CLOSED);
    }

    void onFailure(final long nowNs)
    {
        consecutiveFailures++;
        if (HALF_OPEN == state || (CLOSED == state && consecutiveFailures >= failureThreshold))
        {
            final double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
            openUntilNs = nowNs + (long)(backoffNs * jitter);
            backoffNs = Math.min(maxBackoffNs, backoffNs * 2);
            probeInFlight = false;
            state(OPEN);
        }
    }

    int state()
    {
        return state;
    }

    private void state(final int newState)
    {
        state = newState;
        stateCounter.setRelease(newState);
    }
}
