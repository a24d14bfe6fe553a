package io.portask.storage;

import io.portask.protocol.CounterFactory;
import io.portask.protocol.CounterIds;
import io.portask.protocol.Frame;
import io.portask.protocol.sbe.StorageKind;
import io.portask.storage.spi.BrokerStore;
import io.portask.storage.spi.PartitionLog;
import io.portask.storage.spi.PartitionLogException;
import io.portask.storage.spi.TopicDescriptor;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The broker's state on local disk:
 * <pre>
 *   dataDir/topics/NAME/topic.properties   definition, written atomically (temp file, fsync, rename)
 *   dataDir/topics/NAME/P/                  Chronicle Queue journal of partition P (journal topics)
 *   dataDir/offsets/                        group offsets and members, topic deletions ({@link OffsetsStore})
 *   dataDir/producer-ids                    the end of the block of idempotent producer ids in use
 * </pre>
 * A memory-only topic's definition survives a restart; its records do not. A deleted topic's folder is first
 * renamed aside, so a crash midway never leaves a half-deleted topic that would be loaded again.
 * <p>
 * Threading: the core agent only.
 */
public final class DiskBrokerStore implements BrokerStore
{
    private static final Logger LOG = LoggerFactory.getLogger(DiskBrokerStore.class);
    private static final String TOPIC_FILE = "topic.properties";
    private static final String PRODUCER_IDS_FILE = "producer-ids";
    private static final long PRODUCER_ID_BLOCK = 1024;
    /** Bytes of a Dragonfly-only partition's batches that may wait for Dragonfly before produces are refused. */
    private static final long DRAGONFLY_PENDING_BYTES = 64L * 1024 * 1024;

    private final StorageContext ctx;
    private final Path topicsDir;
    private final OffsetsStore offsets;
    private long nextProducerId;
    private long producerIdBlockEnd;
    private final MemoryBudget memoryBudget;
    private final AtomicCounter tierHits;
    private final AtomicCounter tierMisses;
    private final AtomicCounter journalTailsCut;
    private final AtomicCounter journalBytesCut;
    private final ExecutorService retentionDeleter = Executors.newSingleThreadExecutor(runnable ->
    {
        final Thread thread = new Thread(runnable, "portask-retention-deleter");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * Open the store, creating its folders when new, and finish any topic deletion a crash interrupted.
     *
     * @param ctx storage settings.
     */
    public DiskBrokerStore(final StorageContext ctx)
    {
        this.ctx = ctx.conclude();
        this.topicsDir = ctx.dataDir().toPath().resolve("topics");
        try
        {
            Files.createDirectories(topicsDir);
            removeDeletedLeftovers();
        }
        catch (final IOException ex)
        {
            throw new PartitionLogException("cannot create data folder " + topicsDir, ex);
        }
        this.offsets = new OffsetsStore(ctx.dataDir().toPath().resolve("offsets").toFile());
        final CounterFactory counters = ctx.counterFactory();
        this.memoryBudget = new MemoryBudget(ctx.memoryTotalBytes(),
            counters.newCounter(CounterIds.MEMORY_BYTES_HELD, "memory bytes held"),
            counters.newCounter(CounterIds.MEMORY_EVICTIONS, "memory evictions"));
        this.tierHits = counters.newCounter(CounterIds.TIER_HITS, "memory tier hits");
        this.tierMisses = counters.newCounter(CounterIds.TIER_MISSES, "memory tier misses");
        this.journalTailsCut = counters.newCounter(CounterIds.JOURNAL_TAILS_CUT, "journal tails cut");
        this.journalBytesCut = counters.newCounter(CounterIds.JOURNAL_BYTES_CUT, "journal bytes cut");
    }

    private void removeDeletedLeftovers() throws IOException
    {
        try (Stream<Path> children = Files.list(topicsDir))
        {
            for (final Path child : children.toList())
            {
                if (child.getFileName().toString().contains(".deleted-"))
                {
                    deleteRecursively(child);
                }
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    public List<TopicDescriptor> loadTopics()
    {
        final List<TopicDescriptor> topics = new ArrayList<>();
        try (Stream<Path> children = Files.list(topicsDir))
        {
            for (final Path child : children.sorted().toList())
            {
                final Path file = child.resolve(TOPIC_FILE);
                if (Files.isRegularFile(file))
                {
                    topics.add(readTopic(file));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new PartitionLogException("cannot list topics in " + topicsDir, ex);
        }
        return topics;
    }

    private static TopicDescriptor readTopic(final Path file) throws IOException
    {
        final Properties properties = new Properties();
        try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        final String name = properties.getProperty("name");
        final String partitions = properties.getProperty("partitions");
        final String storage = properties.getProperty("storage");
        if (null == name || null == partitions || null == storage)
        {
            throw new PartitionLogException("topic definition " + file + " lacks name, partitions or storage");
        }
        return new TopicDescriptor(name, Integer.parseInt(partitions), StorageKind.valueOf(storage),
            Long.parseLong(properties.getProperty("retention.ms", "-1")),
            Long.parseLong(properties.getProperty("retention.bytes", "-1")));
    }

    /**
     * {@inheritDoc}
     */
    public void createTopic(final TopicDescriptor topic)
    {
        writeDefinition(topic);
    }

    /**
     * {@inheritDoc}
     */
    public void alterTopic(final TopicDescriptor topic)
    {
        writeDefinition(topic);
    }

    private void writeDefinition(final TopicDescriptor topic)
    {
        final Path dir = topicsDir.resolve(topic.name());
        try
        {
            Files.createDirectories(dir);
            writeAtomically(dir.resolve(TOPIC_FILE), "# Portask topic definition; written by the broker\nname=" +
                topic.name() + "\npartitions=" + topic.partitions() + "\nstorage=" + topic.storage().name() +
                "\nretention.ms=" + topic.retentionMs() + "\nretention.bytes=" + topic.retentionBytes() + "\n");
            syncDirectory(topicsDir);
        }
        catch (final IOException | UncheckedIOException ex)
        {
            throw new PartitionLogException("cannot write definition of topic " + topic.name(), ex);
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * Ids come from blocks of {@value #PRODUCER_ID_BLOCK}: the end of the block in use is written to
     * {@code DATA/producer-ids} (atomically, synced) before its first id is handed out, so a restart starts after it.
     */
    public long nextProducerId()
    {
        if (nextProducerId == producerIdBlockEnd)
        {
            final Path file = topicsDir.resolveSibling(PRODUCER_IDS_FILE);
            try
            {
                final long start = Files.exists(file) ? Long.parseLong(Files.readString(file).trim()) : 1;
                writeAtomically(file, Long.toString(start + PRODUCER_ID_BLOCK));
                nextProducerId = start;
                producerIdBlockEnd = start + PRODUCER_ID_BLOCK;
            }
            catch (final IOException | UncheckedIOException | NumberFormatException ex)
            {
                throw new PartitionLogException("cannot allocate producer ids in " + file, ex);
            }
        }
        return nextProducerId++;
    }

    private static void writeAtomically(final Path file, final String text) throws IOException
    {
        final Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(
            temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
        {
            channel.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        }
        moveAtomically(temp, file);
        syncDirectory(file.getParent());
    }

    /**
     * {@inheritDoc}
     */
    public PartitionLog openPartition(final TopicDescriptor topic, final int partition)
    {
        final String name = topic.name() + "/" + partition;
        if (StorageKind.MEMORY == topic.storage())
        {
            return new MemoryPartitionLog(
                name, ctx.memorySegmentBytes(), ctx.memoryPartitionBudgetBytes(), 0, memoryBudget);
        }
        if (StorageKind.DRAGONFLY == topic.storage())
        {
            final DragonflyHandoff handoff = ctx.dragonflyHandoff();
            if (null == handoff)
            {
                throw new PartitionLogException("topic " + topic.name() + " is stored in Dragonfly only, and no " +
                    "Dragonfly is configured (portask.dragonfly.host)");
            }
            return new DragonflyPartitionLog(name, handoff.nextHandle(), handoff.ring(), DRAGONFLY_PENDING_BYTES,
                start -> new MemoryPartitionLog(
                name, ctx.memorySegmentBytes(), ctx.memoryPartitionBudgetBytes(), start, memoryBudget),
                handoff.olderReads());
        }
        final File dir = topicsDir.resolve(topic.name()).resolve(Integer.toString(partition)).toFile();
        final ChronicleJournalLog journal =
            ChronicleJournalLog.open(dir, name, Frame.maxBatchLength(ctx.maxFrameLength()), ctx.journalRollCycle(),
                SystemTimeProvider.INSTANCE, retentionDeleter);
        final JournalRecovery.Cut cut = journal.cutAtOpen();
        if (null != cut)
        {
            final String report = cut.describe("topic " + topic.name() + " partition " + partition);
            LOG.warn(report);
            ctx.errorHandler().onError(new PartitionLogException(report));
            journalTailsCut.increment();
            journalBytesCut.getAndAdd(cut.bytes());
        }
        if (0 == ctx.tierPartitionBytes())
        {
            return journal;
        }
        final MemoryPartitionLog tier = new MemoryPartitionLog(
            name + " (tier)", ctx.memorySegmentBytes(), ctx.tierPartitionBytes(), journal.highWatermark(),
            memoryBudget);
        return new TieredPartitionLog(journal, tier, tierHits, tierMisses);
    }

    /**
     * {@inheritDoc}
     */
    public void deleteTopic(final TopicDescriptor topic)
    {
        final Path dir = topicsDir.resolve(topic.name());
        final Path aside = topicsDir.resolve(topic.name() + ".deleted-" + System.nanoTime());
        try
        {
            offsets.topicDeleted(topic.name());
            moveAtomically(dir, aside);
            syncDirectory(topicsDir);
            deleteRecursively(aside);
        }
        catch (final IOException | UncheckedIOException ex)
        {
            throw new PartitionLogException("cannot delete topic " + topic.name(), ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void commitOffset(final String group, final String topic, final int partition, final long offset)
    {
        offsets.commit(group, topic, partition, offset);
    }

    /**
     * {@inheritDoc}
     */
    public void storeGroupMember(final String group, final String memberId, final byte[] state)
    {
        offsets.member(group, memberId, state);
    }

    /**
     * {@inheritDoc}
     */
    public void deleteGroup(final String group)
    {
        offsets.groupDeleted(group);
    }

    /**
     * {@inheritDoc}
     */
    public void loadGroups(final CommittedOffsetConsumer committed, final GroupMemberConsumer members)
    {
        offsets.load(committed, members);
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        retentionDeleter.shutdown();
        try
        {
            retentionDeleter.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        offsets.close();
    }

    private static void moveAtomically(final Path from, final Path to) throws IOException
    {
        try
        {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final AtomicMoveNotSupportedException ex)
        {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void syncDirectory(final Path dir)
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
        catch (final IOException ignore)
        {
            // Not every file system allows a directory to be opened for sync; the rename is still ordered.
        }
    }

    static void deleteRecursively(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir))
        {
            for (final Path path : walk.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
    }
}
