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
 * Consumer group state: committed offsets, group members (opaque state the coordinator encodes, or their removal),
 * group- and topic-deletion markers, appended to a Chronicle Queue (one file an hour) and replayed at start, last entry
 * winning. Compacted as Kafka compacts its offsets topic: once the entries written since the last compaction
 * outnumber the live ones (one per group, topic and partition; one per member) by far and an older file exists,
 * the live entries are appended again, synced, and every older file deleted; offsets of deleted topics and removed
 * members are not live, so they go with them. A crash at any point replays to the same state.
 * <p>
 * Threading: the core agent only.
 */
final class OffsetsStore implements AutoCloseable
{
    /** Entries written since the last compaction before another is considered, at least. */
    static final int MIN_ENTRIES_BEFORE_COMPACTION = 10_000;

    private static final byte COMMIT = 1;
    private static final byte TOPIC_DELETED = 2;
    private static final byte MEMBER = 3;
    private static final byte MEMBER_REMOVED = 4;
    private static final byte GROUP_DELETED = 5;

    private final File directory;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final Map<String, Entry> live = new LinkedHashMap<>();
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
        write(new Entry(COMMIT, group, topic, partition, offset, null));
        compactIfDue();
    }

    /**
     * @param state the member's state as the coordinator encodes it; null when it left the group.
     */
    void member(final String group, final String memberId, final byte[] state)
    {
        write(new Entry(null == state ? MEMBER_REMOVED : MEMBER, group, memberId, -1, -1, state));
        compactIfDue();
    }

    void groupDeleted(final String group)
    {
        write(new Entry(GROUP_DELETED, group, "", -1, -1, null));
    }

    void topicDeleted(final String topic)
    {
        write(new Entry(TOPIC_DELETED, "", topic, -1, -1, null));
    }

    /**
     * Replay every entry, keep the live ones, and compact if due.
     *
     * @param offsets receives each live committed offset.
     * @param members receives each live group member.
     */
    void load(final BrokerStore.CommittedOffsetConsumer offsets, final BrokerStore.GroupMemberConsumer members)
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
                    apply(Entry.read(dc.wire().bytes()));
                    entriesSinceCompaction++;
                }
            }
        }
        for (final Entry entry : live.values())
        {
            if (MEMBER == entry.kind)
            {
                members.accept(entry.group, entry.name, entry.state);
            }
            else
            {
                offsets.accept(entry.group, entry.name, entry.partition, entry.offset);
            }
        }
        compactIfDue();
    }

    private void write(final Entry entry)
    {
        append(entry);
        apply(entry);
    }

    private void apply(final Entry entry)
    {
        switch (entry.kind)
        {
            case TOPIC_DELETED -> live.values().removeIf(e -> COMMIT == e.kind && entry.name.equals(e.name));
            case MEMBER_REMOVED -> live.remove(entry.key());
            case GROUP_DELETED -> live.values().removeIf(e -> entry.group.equals(e.group));
            default -> live.put(entry.key(), entry);
        }
    }

    private void compactIfDue()
    {
        if (entriesSinceCompaction < Math.max(MIN_ENTRIES_BEFORE_COMPACTION, 4L * live.size()) ||
            queue.firstCycle() >= queue.cycle())
        {
            return;
        }
        final int current = queue.cycle();
        live.values().forEach(this::append);
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

    private void append(final Entry entry)
    {
        try (DocumentContext dc = appender.writingDocument())
        {
            entry.write(dc.wire().bytes());
        }
        catch (final RuntimeException ex)
        {
            throw new PartitionLogException("cannot record group state of " + entry.group + ": " + entry.name, ex);
        }
        entriesSinceCompaction++;
    }

    /**
     * One entry: kind, group, a name (the topic of a commit or deletion, the member id of a member), partition and
     * offset (-1 for members), and a member's state (length -1 when none).
     */
    private record Entry(byte kind, String group, String name, int partition, long offset, byte[] state)
    {
        static Entry read(final Bytes<?> bytes)
        {
            final byte kind = bytes.readByte();
            final String group = bytes.readUtf8();
            final String name = bytes.readUtf8();
            final int partition = bytes.readInt();
            final long offset = bytes.readLong();
            byte[] state = null;
            if (bytes.readRemaining() >= Integer.BYTES)
            {
                final int length = bytes.readInt();
                if (length >= 0)
                {
                    state = new byte[length];
                    bytes.read(state);
                }
            }
            return new Entry(kind, group, name, partition, offset, state);
        }

        void write(final Bytes<?> bytes)
        {
            bytes.writeByte(kind).writeUtf8(group).writeUtf8(name).writeInt(partition).writeLong(offset);
            if (null != state)
            {
                bytes.writeInt(state.length).write(state);
            }
        }

        String key()
        {
            return MEMBER == kind || MEMBER_REMOVED == kind ? group + '\u0001' + name :
                OffsetsStore.key(group, name, partition);
        }
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
