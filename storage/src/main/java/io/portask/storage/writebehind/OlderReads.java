package io.portask.storage.writebehind;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.portask.storage.DragonflyPartitionLog;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;

/**
 * Reads Dragonfly-only partitions' records older than their memory back from their streams, for fetches: the
 * batch holding the offset (XREVRANGE to the offset, one entry), then the batches after it (XRANGE, up to the
 * bytes asked), asynchronously; the result is published to the partition, which serves the next fetch from it.
 * <p>
 * Threading: {@link #poll} on the write-behind agent; completions on Lettuce's threads (they only publish).
 */
final class OlderReads
{
    /** Stream entries (batches) read per request at most: what a read may hold in memory in passing. */
    static final int MAX_ENTRIES = 16;

    private static final byte[] BATCH_FIELD = "batch".getBytes(StandardCharsets.UTF_8);

    private final Queue<DragonflyPartitionLog> requests;

    OlderReads(final Queue<DragonflyPartitionLog> requests)
    {
        this.requests = requests;
    }

    /**
     * Issue every read asked for since the last poll.
     *
     * @param connection to Dragonfly, or null while there is none (the reads fail and are asked again).
     * @return reads issued.
     */
    int poll(final StatefulRedisConnection<byte[], byte[]> connection)
    {
        int work = 0;
        DragonflyPartitionLog log;
        while (null != (log = requests.poll()))
        {
            final byte[] key = log.streamKey();
            if (null == connection || null == key)
            {
                log.olderFailed();
                continue;
            }
            read(log, key, connection);
            work++;
        }
        return work;
    }

    private static void read(
        final DragonflyPartitionLog log, final byte[] key, final StatefulRedisConnection<byte[], byte[]> connection)
    {
        final long from = log.olderFrom();
        final int maxBytes = log.olderMaxBytes();
        connection.async().xrevrange(key, Range.create("-", from + "-" + Long.MAX_VALUE), Limit.from(1))
            .thenCompose(holding -> connection.async().xrange(key,
                Range.create(holding.isEmpty() ? "-" : holding.get(0).getId(), "+"), Limit.from(MAX_ENTRIES)))
            .whenComplete((entries, error) ->
            {
                if (null != error)
                {
                    log.olderFailed();
                    return;
                }
                publish(log, entries, maxBytes);
            });
    }

    private static void publish(
        final DragonflyPartitionLog log, final List<StreamMessage<byte[], byte[]>> entries, final int maxBytes)
    {
        final ByteArrayOutputStream batches = new ByteArrayOutputStream();
        long first = -1;
        long next = -1;
        for (final StreamMessage<byte[], byte[]> entry : entries)
        {
            final byte[] batch = field(entry);
            if (null == batch || batches.size() > 0 && batches.size() + batch.length > maxBytes)
            {
                break;
            }
            batches.writeBytes(batch);
            first = first < 0 ? StreamIds.baseOffset(entry.getId()) : first;
            next = StreamIds.nextOffset(entry.getId());
        }
        log.olderRead(first, next, batches.toByteArray());
    }

    private static byte[] field(final StreamMessage<byte[], byte[]> entry)
    {
        for (final var field : entry.getBody().entrySet())
        {
            if (java.util.Arrays.equals(BATCH_FIELD, field.getKey()))
            {
                return field.getValue();
            }
        }
        return null;
    }
}
