package io.portask.storage.writebehind;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.RecordBatch;
import io.portask.protocol.sbe.StorageKind;
import io.portask.storage.ChronicleJournalLog;
import io.portask.storage.DiskBrokerStore;
import io.portask.storage.StorageContext;
import io.portask.storage.spi.TopicDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds a partition whose local journal is gone from what the write-behind wrote to Dragonfly: reads the
 * partition's stream in order and appends each batch, unchanged, to a new journal, checking that every entry id
 * matches its batch, every batch passes its CRC and structure check, and the offsets are contiguous from 0. It
 * then writes the write-behind checkpoint, so the broker resumes writing behind where the stream ends. Runs with
 * the broker stopped (the caller holds the data folder's lock).
 */
public final class DragonflyRestore
{
    private static final int PAGE = 500;

    /**
     * Told after every page of batches.
     */
    @FunctionalInterface
    public interface Progress
    {
        /**
         * @param partition     the partition being restored.
         * @param batchesDone   batches appended so far.
         * @param batchesTotal  batches in the stream.
         */
        void onProgress(int partition, long batchesDone, long batchesTotal);
    }

    private final DragonflyContext ctx;
    private final File dataDir;
    private final int maxBatchLength;

    /**
     * @param ctx            where Dragonfly is (host, port, credentials, key prefix).
     * @param dataDir        the broker's data folder.
     * @param maxBatchLength largest batch the journals take.
     */
    public DragonflyRestore(final DragonflyContext ctx, final File dataDir, final int maxBatchLength)
    {
        this.ctx = ctx;
        this.dataDir = dataDir;
        this.maxBatchLength = maxBatchLength;
    }

    /**
     * Restore one partition, or all of a topic's.
     *
     * @param topic     topic name.
     * @param partition partition index, or -1 for every partition.
     * @param progress  told as batches are appended.
     * @return records restored.
     * @throws IllegalStateException when the topic is unknown to Dragonfly, a journal already exists, or an
     *                               entry fails its checks.
     */
    public long restore(final String topic, final int partition, final Progress progress)
    {
        final RedisClient client = RedisClient.create(ctx.redisUri());
        try (StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE))
        {
            final RedisCommands<byte[], byte[]> redis = connection.sync();
            final Map<byte[], byte[]> meta = redis.hgetall(bytes(ctx.topicKey(topic)));
            final String partitions = field(meta, "partitions");
            if (null == partitions)
            {
                throw new IllegalStateException("Dragonfly has no topic '" + topic + "' (no key " +
                    ctx.topicKey(topic) + ")");
            }
            final TopicDescriptor descriptor =
                new TopicDescriptor(topic, Integer.parseInt(partitions), StorageKind.JOURNAL);
            if (partition >= descriptor.partitions())
            {
                throw new IllegalStateException("topic '" + topic + "' has " + descriptor.partitions() +
                    " partitions in Dragonfly; there is no partition " + partition);
            }
            ensureTopicDefinition(descriptor);
            long records = 0;
            for (int p = 0; p < descriptor.partitions(); p++)
            {
                if (partition < 0 || p == partition)
                {
                    records += restorePartition(redis, descriptor, p, progress);
                }
            }
            return records;
        }
        finally
        {
            client.shutdown();
        }
    }

    private void ensureTopicDefinition(final TopicDescriptor descriptor)
    {
        final File definition = new File(dataDir, "topics/" + descriptor.name() + "/topic.properties");
        if (!definition.isFile())
        {
            try (DiskBrokerStore store = new DiskBrokerStore(new StorageContext().dataDir(dataDir)))
            {
                store.createTopic(descriptor);
            }
        }
    }

    private long restorePartition(
        final RedisCommands<byte[], byte[]> redis, final TopicDescriptor topic, final int partition,
        final Progress progress)
    {
        final File dir = new File(dataDir, "topics/" + topic.name() + "/" + partition);
        final String[] existing = dir.list((d, name) -> name.endsWith(".cq4"));
        if (null != existing && existing.length > 0)
        {
            throw new IllegalStateException("the journal of " + topic.name() + "/" + partition + " exists in " +
                dir + "; restore only rebuilds a missing journal (move it away first)");
        }
        final byte[] key = bytes(ctx.streamKey(topic.name(), partition));
        final long total = redis.xlen(key);
        try (ChronicleJournalLog journal = ChronicleJournalLog.open(dir, topic.name() + "/" + partition,
            maxBatchLength, null))
        {
            final RecordBatch check = new RecordBatch();
            long done = 0;
            String after = null;
            String lastId = "";
            while (true)
            {
                final Range<String> range = Range.create(null == after ? "-" : "(" + after, "+");
                final List<StreamMessage<byte[], byte[]>> page = redis.xrange(key, range, Limit.from(PAGE));
                for (final StreamMessage<byte[], byte[]> entry : page)
                {
                    final UnsafeBuffer batch = new UnsafeBuffer(field(entry.getBody(), "batch", entry.getId()));
                    verify(check, batch, entry.getId(), journal.highWatermark());
                    journal.append(batch, 0, batch.capacity());
                    lastId = entry.getId();
                    done++;
                }
                progress.onProgress(partition, done, total);
                if (page.size() < PAGE)
                {
                    break;
                }
                after = page.get(page.size() - 1).getId();
            }
            try (Checkpoint checkpoint = Checkpoint.open(dir))
            {
                checkpoint.store(journal.highWatermark(), StreamIds.baseOffset(lastId), StreamIds.recordCount(lastId));
            }
            return journal.highWatermark();
        }
    }

    private static void verify(final RecordBatch check, final UnsafeBuffer batch, final String id, final long next)
    {
        check.wrap(batch, 0, batch.capacity());
        if (ErrorCode.NONE != check.validate())
        {
            throw new IllegalStateException("stream entry " + id + " holds a batch that fails its CRC or structure");
        }
        if (!StreamIds.id(check.baseOffset(), check.recordCount()).equals(id) || check.baseOffset() != next)
        {
            throw new IllegalStateException("stream entry " + id + " does not continue the offsets at " + next +
                " (batch base " + check.baseOffset() + ", " + check.recordCount() + " records)");
        }
    }

    private static byte[] field(final Map<byte[], byte[]> body, final String name, final String id)
    {
        final byte[] value = body.entrySet().stream()
            .filter(e -> name.equals(new String(e.getKey(), StandardCharsets.UTF_8)))
            .map(Map.Entry::getValue).findFirst().orElse(null);
        if (null == value)
        {
            throw new IllegalStateException("stream entry " + id + " has no field '" + name + "'");
        }
        return value;
    }

    private static String field(final Map<byte[], byte[]> body, final String name)
    {
        return body.entrySet().stream()
            .filter(e -> name.equals(new String(e.getKey(), StandardCharsets.UTF_8)))
            .map(e -> new String(e.getValue(), StandardCharsets.UTF_8)).findFirst().orElse(null);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
