package io.portask.storage.writebehind;

/**
 * Stream entry ids of the write-behind: {@code <baseOffset>-<recordCount>}. They grow with the offsets, are never
 * the reserved 0-0, and tell the offset after the entry on their own: base + count.
 */
public final class StreamIds
{
    private StreamIds()
    {
    }

    /**
     * @param baseOffset  a batch's base offset.
     * @param recordCount its records.
     * @return its entry id.
     */
    public static String id(final long baseOffset, final int recordCount)
    {
        return baseOffset + "-" + recordCount;
    }

    /**
     * @param id an entry id, or "" for none.
     * @return the offset after the entry, or 0 for "".
     */
    public static long nextOffset(final String id)
    {
        if (id.isEmpty())
        {
            return 0;
        }
        final int dash = id.indexOf('-');
        return Long.parseLong(id.substring(0, dash)) + Long.parseLong(id.substring(dash + 1));
    }

    static long baseOffset(final String id)
    {
        return id.isEmpty() ? -1 : Long.parseLong(id.substring(0, id.indexOf('-')));
    }

    static int recordCount(final String id)
    {
        return id.isEmpty() ? 0 : Integer.parseInt(id.substring(id.indexOf('-') + 1));
    }
}
