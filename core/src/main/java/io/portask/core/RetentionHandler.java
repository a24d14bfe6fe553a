package io.portask.core;

import org.agrona.collections.MutableLong;
import org.agrona.concurrent.EpochClock;

/**
 * Applies every partition's retention once per check interval, from the core's duty cycle: each log drops the
 * whole segments past its topic's retention (or the broker's default) and its log start moves; the files go on a
 * background thread of the store. Counts segments and bytes dropped and keeps each partition's log-start counter.
 * Idempotent producers silent for longer than {@code portask.producer.id.expiration.ms} are forgotten too.
 * <p>
 * Threading: the core agent only.
 */
final class RetentionHandler
{
    private final TopicTable topics;
    private final CoreCounters counters;
    private final EpochClock clock;
    private long defaultRetentionMs;
    private long defaultRetentionBytes;
    private long intervalMs;
    private long producerExpirationMs;
    private final MutableLong bytesDropped = new MutableLong();
    private long nextCheckMs;
    private long nowMs;
    private int dropped;

    RetentionHandler(final TopicTable topics, final CoreCounters counters, final CoreContext ctx)
    {
        this.topics = topics;
        this.counters = counters;
        this.clock = ctx.epochClock();
        this.defaultRetentionMs = ctx.retentionMs();
        this.defaultRetentionBytes = ctx.retentionBytes();
        this.intervalMs = ctx.retentionCheckIntervalMs();
        this.producerExpirationMs = ctx.producerIdExpirationMs();
    }

    /**
     * New defaults from a config reload, from the next check on.
     */
    void settings(final CoreSettings settings)
    {
        defaultRetentionMs = settings.retentionMs();
        defaultRetentionBytes = settings.retentionBytes();
        intervalMs = settings.retentionCheckIntervalMs();
        producerExpirationMs = settings.producerIdExpirationMs();
    }

    /**
     * @return segments dropped, as work done.
     */
    int doWork()
    {
        nowMs = clock.time();
        if (nowMs < nextCheckMs)
        {
            return 0;
        }
        nextCheckMs = nowMs + intervalMs;
        dropped = 0;
        topics.forEach(this::retainTopic);
        return dropped;
    }

    private void retainTopic(final Topic topic)
    {
        final long retentionMs = topic.retentionMs(defaultRetentionMs);
        final long retentionBytes = topic.retentionBytes(defaultRetentionBytes);
        for (final Partition partition : topic.partitions)
        {
            dropped += retain(partition, nowMs, retentionMs, retentionBytes);
            partition.producers.expire(nowMs, producerExpirationMs);
        }
    }

    private int retain(final Partition partition, final long nowMs, final long retentionMs, final long retentionBytes)
    {
        bytesDropped.set(0);
        final int dropped = partition.log.isReady() ?
            partition.log.retain(nowMs, retentionMs, retentionBytes, bytesDropped) : 0;
        if (dropped > 0)
        {
            counters.retentionSegmentsDeleted().getAndAddRelease(dropped);
            counters.retentionBytesDeleted().getAndAddRelease(bytesDropped.get());
        }
        partition.logStartOffset.setRelease(partition.log.logStartOffset());
        return dropped;
    }
}
