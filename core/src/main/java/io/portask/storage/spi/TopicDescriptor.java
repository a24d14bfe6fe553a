package io.portask.storage.spi;

import io.portask.protocol.sbe.StorageKind;

/**
 * What defines a topic: its name, partition count, storage kind and retention. Immutable.
 *
 * @param name           topic name: 1 to 249 of [A-Za-z0-9._-].
 * @param partitions     number of partitions, at least 1.
 * @param storage        where its records live.
 * @param retentionMs    how long a partition keeps records, in ms; {@link #BROKER_DEFAULT} for the broker's
 *                       {@code portask.retention.ms}.
 * @param retentionBytes how many bytes a partition keeps at least before its oldest are deleted;
 *                       {@link #BROKER_DEFAULT} for the broker's {@code portask.retention.bytes},
 *                       {@link #UNLIMITED} for no limit.
 */
public record TopicDescriptor(String name, int partitions, StorageKind storage, long retentionMs, long retentionBytes)
{
    /** A retention that follows the broker's default. */
    public static final long BROKER_DEFAULT = -1;
    /** No limit. */
    public static final long UNLIMITED = Long.MAX_VALUE;

    /**
     * A topic that follows the broker's retention defaults.
     *
     * @param name       topic name.
     * @param partitions number of partitions.
     * @param storage    where its records live.
     */
    public TopicDescriptor(final String name, final int partitions, final StorageKind storage)
    {
        this(name, partitions, storage, BROKER_DEFAULT, BROKER_DEFAULT);
    }

    /**
     * @param retentionMs    new retention by time, or {@link #BROKER_DEFAULT}.
     * @param retentionBytes new retention by size, or {@link #BROKER_DEFAULT}.
     * @return this topic with another retention.
     */
    public TopicDescriptor withRetention(final long retentionMs, final long retentionBytes)
    {
        return new TopicDescriptor(name, partitions, storage, retentionMs, retentionBytes);
    }

    /**
     * Check a retention value.
     *
     * @param value candidate: {@link #BROKER_DEFAULT} (or 0, the same), {@link #UNLIMITED} or positive.
     * @param what  its name, for the message.
     * @return null when valid, else why not.
     */
    public static String validateRetention(final long value, final String what)
    {
        return value >= BROKER_DEFAULT ? null :
            what + " must be positive (or -1 for the broker's default), got " + value;
    }

    /**
     * @param value a valid retention value.
     * @return it, with 0 (a field a client left unset) read as {@link #BROKER_DEFAULT}.
     */
    public static long normalizeRetention(final long value)
    {
        return 0 == value ? BROKER_DEFAULT : value;
    }
    /** Longest topic name accepted. */
    public static final int MAX_NAME_LENGTH = 249;
    /** Most partitions a topic may have. */
    public static final int MAX_PARTITIONS = 4096;

    /**
     * Check a topic name.
     *
     * @param name candidate.
     * @return null when valid, else why not.
     */
    public static String validateName(final String name)
    {
        if (null == name || name.isEmpty() || name.length() > MAX_NAME_LENGTH)
        {
            return "topic name must have 1 to " + MAX_NAME_LENGTH + " characters";
        }
        if (".".equals(name) || "..".equals(name))
        {
            return "topic name must not be '.' or '..'";
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' ||
                c == '-'))
            {
                return "topic name may only contain [A-Za-z0-9._-], found '" + c + "'";
            }
        }
        return null;
    }
}
