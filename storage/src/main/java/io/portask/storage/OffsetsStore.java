package io.portask.storage;

import io.portask.storage.spi.BrokerStore;
import io.portask.storage.spi.PartitionLogException;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Committed consumer offsets and topic-deletion markers, appended to a Chronicle Queue (one file an hour) and
 * replayed at start, last entry winning. Compacted as Kafka compacts its offsets topic: once the entries written
 * since the last compaction outnumber the live ones (one per group, topic and partition) by far and an older file
 * exists, the live entries are appended again, synced, and every older file deleted; offsets of deleted topics
 * are not live, so they go with them. A crash at any point replays to the same offsets.
 * <p>
 * Threading: the core agent only.
 */
final class OffsetsStore implements AutoCloseable
{
    /** Entries written since the last compaction before another is considered, at least. */
    static final int MIN_ENTRIES_BEFORE_COMPACTION = 10_000;

    private static final byte COMMIT = 1;
    private static final byte TOPIC_DELETED = 2;

    private final File directory;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final Map<String, Object[]> live = new LinkedHashMap<>();
    private long entriesSinceCompaction;
    private long filesDeleted;

    OffsetsStore(final File directory)
    {
        this(directory, SystemTimeProvider.INSTANCE);
    }

    OffsetsStore(final File directory, final TimeProvider clock)
    {
        this.directory = directory;
        this.queue = SingleChronicleQueueBuilder.single(directory).rollCycle(RollCycles.FAST_HOURLY)
            .timeProvider(clock).build();
        this.appender = queue.createAppender();
        this.appender.singleThreadedCheckDisabled(true);
    }

    void commit(final String group, final String topic, final int partition, final long offset)
    {
        append(COMMIT, group, topic, partition, offset);
        live.put(key(group, topic, partition), new Object[]{ group, topic, partition, offset });
        compactIfDue();
    }

    void topicDeleted(final String topic)
    {
        append(TOPIC_DELETED, "", topic, -1, -1);
        live.values().removeIf(entry -> topic.equals(entry[1]));
    }

    /**
     * Replay every entry, keep the live ones, and compact if due.
     *
     * @param consumer receives each live committed offset.
     */
    void load(final BrokerStore.CommittedOffsetConsumer consumer)
    {
        live.clear();
        try (ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    final Bytes<?> bytes = dc.wire().bytes();
                    final byte kind = bytes.readByte();
                    final String group = bytes.readUtf8();
                    final String topic = bytes.readUtf8();
                    final int partition = bytes.readInt();
                    final long offset = bytes.readLong();
                    entriesSinceCompaction++;
                    if (TOPIC_DELETED == kind)
                    {
                        live.values().removeIf(entry -> topic.equals(entry[1]));
                    }
                    else
                    {
                        live.put(key(group, topic, partition), new Object[]{ group, topic, partition, offset });
                    }
                }
            }
        }
        for (final Object[] entry : live.values())
        {
            consumer.accept((String)entry[0], (String)entry[1], (Integer)entry[2], (Long)entry[3]);
        }
        compactIfDue();
    }

    private void compactIfDue()
    {
        if (entriesSinceCompaction < Math.max(MIN_ENTRIES_BEFORE_COMPACTION, 4L * live.size()) ||
            queue.firstCycle() >= queue.cycle())
        {
            return;
        }
        final int current = queue.cycle();
        for (final Object[] entry : live.values())
        {
            append(COMMIT, (String)entry[0], (String)entry[1], (Integer)entry[2], (Long)entry[3]);
        }
        appender.sync();
        for (int cycle = queue.firstCycle(); cycle < current && cycle != Integer.MIN_VALUE; cycle++)
        {
            final File file = CycleFiles.of(queue, directory, cycle);
            try
            {
                if (Files.deleteIfExists(file.toPath()))
                {
                    filesDeleted++;
                }
            }
            catch (final IOException ex)
            {
                throw new PartitionLogException("cannot delete compacted offsets file " + file, ex);
            }
        }
        queue.refreshDirectoryListing();
        entriesSinceCompaction = live.size();
    }

    private void append(final byte kind, final String group, final String topic, final int partition, final long offset)
    {
        try (DocumentContext dc = appender.writingDocument())
        {
            final Bytes<?> bytes = dc.wire().bytes();
            bytes.writeByte(kind).writeUtf8(group).writeUtf8(topic).writeInt(partition).writeLong(offset);
        }
        catch (final RuntimeException ex)
        {
            throw new PartitionLogException("cannot record committed offset of " + group + " on " + topic, ex);
        }
        entriesSinceCompaction++;
    }

    private static String key(final String group, final String topic, final int partition)
    {
        return group + '\u0000' + topic + '\u0000' + partition;
    }

    /**
     * @return offsets files deleted by compaction since open, for tests.
     */
    long filesDeleted()
    {
        return filesDeleted;
    }

    /**
     * @return live entries.
     */
    int liveEntries()
    {
        return live.size();
    }

    public void close()
    {
        net.openhft.chronicle.core.io.Closeable.closeQuietly(appender, queue);
    }
}
