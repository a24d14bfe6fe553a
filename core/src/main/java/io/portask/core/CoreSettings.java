package io.portask.core;

/**
 * The core's settings an operator may change while the broker runs (a config reload): published by another thread
 * as a new object, applied by the core agent at its next duty cycle, so it never stops for it.
 *
 * @param retentionMs              default retention by time of topics without their own.
 * @param retentionBytes           default retention by size.
 * @param retentionCheckIntervalMs time between two retention checks.
 * @param producerIdExpirationMs   how long a silent idempotent producer is remembered.
 * @param maxFetchWaitMs           longest a fetch may wait at the head of a partition.
 * @param groupMinSessionTimeoutMs shortest session timeout a group member may ask for.
 * @param groupMaxSessionTimeoutMs longest.
 */
public record CoreSettings(
    long retentionMs,
    long retentionBytes,
    long retentionCheckIntervalMs,
    long producerIdExpirationMs,
    int maxFetchWaitMs,
    int groupMinSessionTimeoutMs,
    int groupMaxSessionTimeoutMs)
{
    /**
     * @return the settings a context starts with.
     */
    public static CoreSettings of(final CoreContext ctx)
    {
        return new CoreSettings(ctx.retentionMs(), ctx.retentionBytes(), ctx.retentionCheckIntervalMs(),
            ctx.producerIdExpirationMs(), ctx.maxFetchWaitMs(), ctx.groupMinSessionTimeoutMs(),
            ctx.groupMaxSessionTimeoutMs());
    }
}
