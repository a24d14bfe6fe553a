package io.portask.storage.spi;

import io.portask.protocol.sbe.StorageKind;

/**
 * What defines a topic: its name, partition count and storage kind. Immutable.
 *
 * @param name       topic name: 1 to 249 of [A-Za-z0-9._-].
 * @param partitions number of partitions, at least 1.
 * @param storage    where its records live.
 */
public record TopicDescriptor(String name, int partitions, StorageKind storage)
{
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
