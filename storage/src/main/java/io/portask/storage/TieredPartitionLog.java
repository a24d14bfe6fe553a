package io.portask.storage;

import io.portask.storage.spi.PartitionLog;
import io.portask.storage.spi.PartitionLogException;
import io.portask.storage.spi.ProducerBatchVisitor;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.MutableLong;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * A journal partition with a memory tier in front: every batch is appended to the journal and then copied into
 * off-heap memory, so fetches and pushes near the head are served from memory; an offset the tier no longer
 * holds falls through to the journal. The journal stays the source of truth: the tier starts empty at open and
 * holds at most its budget.
 * <p>
 * Threading: single writer and reader (the core agent).
 */
public final class TieredPartitionLog implements PartitionLog
{
    private final ChronicleJournalLog journal;
    private final MemoryPartitionLog tier;
    private final AtomicCounter hits;
    private final AtomicCounter misses;

    /**
     * @param journal the partition's journal, recovered.
     * @param tier    an empty memory log starting at the journal's high watermark.
     * @param hits    reads served from memory.
     * @param misses  reads that went to the journal.
     */
    public TieredPartitionLog(
        final ChronicleJournalLog journal,
        final MemoryPartitionLog tier,
        final AtomicCounter hits,
        final AtomicCounter misses)
    {
        if (tier.highWatermark() != journal.highWatermark())
        {
            throw new IllegalArgumentException("memory tier must start at the journal's high watermark " +
                journal.highWatermark() + ", not " + tier.highWatermark());
        }
        this.journal = journal;
        this.tier = tier;
        this.hits = hits;
        this.misses = misses;
    }

    /**
     * {@inheritDoc}
     */
    public long append(final MutableDirectBuffer batch, final int offset, final int length)
    {
        final long baseOffset = journal.append(batch, offset, length);
        try
        {
            tier.append(batch, offset, length);
        }
        catch (final PartitionLogException ex)
        {
            tier.evictAll(journal.highWatermark());
        }
        return baseOffset;
    }

    /**
     * {@inheritDoc}
     */
    public int read(
        final long fromOffset,
        final int maxBytes,
        final MutableDirectBuffer dst,
        final int dstOffset,
        final int dstCapacity)
    {
        if (fromOffset >= tier.logStartOffset() && fromOffset < tier.highWatermark())
        {
            hits.incrementRelease();
            return tier.read(fromOffset, maxBytes, dst, dstOffset, dstCapacity);
        }
        misses.incrementRelease();
        return journal.read(fromOffset, maxBytes, dst, dstOffset, dstCapacity);
    }

    /**
     * {@inheritDoc}
     */
    public void replayProducerBatches(final ProducerBatchVisitor visitor)
    {
        journal.replayProducerBatches(visitor);
    }

    /**
     * {@inheritDoc}
     */
    public int retain(
        final long nowMs, final long retentionMs, final long retentionBytes, final MutableLong bytesDeleted)
    {
        final int dropped = journal.retain(nowMs, retentionMs, retentionBytes, bytesDeleted);
        if (dropped > 0)
        {
            tier.dropBelow(journal.logStartOffset());
        }
        return dropped;
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
    public long highWatermark()
    {
        return journal.highWatermark();
    }

    /**
     * {@inheritDoc}
     */
    public void sync()
    {
        journal.sync();
    }

    /**
     * @return the journal underneath, for readers that tail it (write-behind).
     */
    public ChronicleJournalLog journal()
    {
        return journal;
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        tier.close();
        journal.close();
    }
}
