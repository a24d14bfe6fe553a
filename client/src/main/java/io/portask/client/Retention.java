package io.portask.client;

import java.time.Duration;

/**
 * How long, and how much, a topic's partitions keep: whole segments (journal files, memory segments) go once every
 * record in them is older than {@code ms}, or while the rest still hold {@code bytes}. {@link #BROKER_DEFAULT} (-1)
 * in a field means the broker's {@code portask.retention.ms} / {@code portask.retention.bytes};
 * {@link #UNLIMITED} means no limit.
 *
 * @param ms    by time, in milliseconds.
 * @param bytes by size, per partition.
 */
public record Retention(long ms, long bytes)
{
    /** A field that follows the broker's default. */
    public static final long BROKER_DEFAULT = -1;
    /** No limit. */
    public static final long UNLIMITED = Long.MAX_VALUE;
    /** In {@link Admin#alterRetention}: leave this field as it is. */
    public static final long UNCHANGED = Long.MIN_VALUE;
    /** The broker's defaults for both. */
    public static final Retention DEFAULTS = new Retention(BROKER_DEFAULT, BROKER_DEFAULT);

    /**
     * @param time how long records are kept.
     * @return that, with the broker's default by size.
     */
    public static Retention of(final Duration time)
    {
        return new Retention(time.toMillis(), BROKER_DEFAULT);
    }

    /**
     * @param bytes how many bytes a partition keeps at least.
     * @return that, with the broker's default by time.
     */
    public static Retention ofBytes(final long bytes)
    {
        return new Retention(BROKER_DEFAULT, bytes);
    }

    /**
     * @param bytes how many bytes a partition keeps at least.
     * @return this with that size limit.
     */
    public Retention withBytes(final long bytes)
    {
        return new Retention(ms, bytes);
    }
}
