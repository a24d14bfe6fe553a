package io.portask.replication;

import io.portask.storage.ChronicleJournalLog;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

import java.io.File;
import java.util.HashMap;
import java.util.Map;

/**
 * A cluster node's own partition journals, written on the service's thread: the committed log of a node that runs
 * without a broker (the module's tests). One folder per topic-partition,
 * {@code topic-partition}.
 * <p>
 * Threading: the service container's thread.
 */
final class LocalJournals implements CommittedLog
{
    private final File dir;
    private final int maxBatchLength;
    private final Map<String, ChronicleJournalLog> journals = new HashMap<>();
    private final ExpandableDirectByteBuffer batchCopy = new ExpandableDirectByteBuffer(64 * 1024);

    /**
     * @param dir            where the journals live.
     * @param maxBatchLength the largest batch an append may carry.
     */
    LocalJournals(final File dir, final int maxBatchLength)
    {
        this.dir = dir;
        this.maxBatchLength = maxBatchLength;
    }

    /**
     * {@inheritDoc}
     */
    public void onCreateTopic(final String name, final int partitions, final long retentionMs,
        final long retentionBytes)
    {
    }

    /**
     * {@inheritDoc}
     */
    public void onAppend(
        final DirectBuffer topic, final int topicOffset, final int topicLength, final int partition,
        final long baseOffset, final DirectBuffer batch, final int batchOffset, final int batchLength)
    {
        final String key = topic.getStringWithoutLengthUtf8(topicOffset, topicLength) + '-' + partition;
        ChronicleJournalLog journal = journals.get(key);
        if (null == journal)
        {
            journal = ChronicleJournalLog.open(new File(dir, key), key, maxBatchLength, null);
            journals.put(key, journal);
        }
        if (journal.highWatermark() > baseOffset)
        {
            return; // replayed: applied before the node stopped
        }
        if (journal.highWatermark() < baseOffset)
        {
            throw new IllegalStateException(key + " journal ends at " + journal.highWatermark() +
                ", before the committed offset " + baseOffset + ": a gap");
        }
        batchCopy.putBytes(0, batch, batchOffset, batchLength);
        journal.append(batchCopy, 0, batchLength);
    }

    /**
     * {@inheritDoc}
     */
    public void sync()
    {
        journals.values().forEach(ChronicleJournalLog::sync);
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        journals.values().forEach(CloseHelper::quietClose);
        journals.clear();
    }
}
