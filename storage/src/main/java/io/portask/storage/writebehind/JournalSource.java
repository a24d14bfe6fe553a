package io.portask.storage.writebehind;

import io.portask.storage.ChronicleJournalLog;
import io.portask.storage.JournalCursor;
import org.agrona.MutableDirectBuffer;

/**
 * A journal partition's batches, read through a cursor of the write-behind's own.
 */
final class JournalSource implements BatchSource
{
    private final JournalCursor cursor;
    private final ChronicleJournalLog journal;

    JournalSource(final JournalCursor cursor, final ChronicleJournalLog journal)
    {
        this.cursor = cursor;
        this.journal = journal;
    }

    /**
     * {@inheritDoc}
     */
    public long logStartOffset()
    {
        return journal.logStartOffset();
    }

    /**
     * {@inheritDoc}
     */
    public int read(
        final long fromOffset, final int maxBytes, final MutableDirectBuffer dst, final int dstOffset,
        final int dstCapacity)
    {
        return cursor.read(fromOffset, Long.MAX_VALUE, maxBytes, dst, dstOffset, dstCapacity);
    }

    /**
     * {@inheritDoc}
     */
    public boolean canRewind()
    {
        return true;
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        cursor.close();
    }
}
