package io.portask.transport;

import java.util.HashMap;
import java.util.Map;

/**
 * Failed authentications per remote address, as a token bucket: each failure takes a token, tokens come back at
 * the configured rate up to ten seconds' worth; an address with none left is refused without any work done for
 * it. Bounded: past 10,000 addresses the oldest state is dropped.
 * <p>
 * Threading: the transport's event loop only.
 */
final class LoginThrottle
{
    private static final int MAX_ADDRESSES = 10_000;

    private final double perNs;
    private final double burst;
    private final Map<String, double[]> buckets = new HashMap<>();

    LoginThrottle(final int failuresPerSec)
    {
        this.perNs = failuresPerSec / 1e9;
        this.burst = 10.0 * failuresPerSec;
    }

    /**
     * @return true when the address may try now.
     */
    boolean allowed(final String address, final long nowNs)
    {
        final double[] bucket = buckets.get(address);
        return null == bucket || refill(bucket, nowNs) >= 1.0;
    }

    /**
     * Take a token for a failure from the address.
     */
    void failed(final String address, final long nowNs)
    {
        if (buckets.size() >= MAX_ADDRESSES && !buckets.containsKey(address))
        {
            buckets.clear();
        }
        final double[] bucket = buckets.computeIfAbsent(address, a -> new double[]{ burst, nowNs });
        bucket[0] = Math.max(0, refill(bucket, nowNs) - 1.0);
    }

    private double refill(final double[] bucket, final long nowNs)
    {
        bucket[0] = Math.min(burst, bucket[0] + (nowNs - (long)bucket[1]) * perNs);
        bucket[1] = nowNs;
        return bucket[0];
    }
}
