package io.portask.client;

import io.portask.protocol.ErrorCode;
import io.portask.protocol.RecordReader;
import io.portask.protocol.link.Reply;
import io.portask.protocol.link.Requests;
import io.portask.protocol.sbe.FetchResponseDecoder;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The partitions a consumer reads by fetching: each one's position and at most one fetch in flight, the answers
 * decoded into records, the offset-reset policy applied when retention moved the log start past a position.
 * <p>
 * Threading: the consumer's poll thread; answers complete on the connection's reader thread.
 */
final class Fetches
{
    private final Map<TopicPartition, Long> positions = new LinkedHashMap<>();
    private final Map<TopicPartition, CompletableFuture<Reply>> inFlight = new LinkedHashMap<>();
    private final ClientConnection connection;
    private final Admin admin;
    private final RecordReader reader;
    private final OffsetReset offsetReset;
    private final int maxFetchBytes;
    private final Runnable wakeUp;

    Fetches(
        final ClientConnection connection, final Admin admin, final RecordReader reader,
        final OffsetReset offsetReset, final int maxFetchBytes, final Runnable wakeUp)
    {
        this.connection = connection;
        this.admin = admin;
        this.reader = reader;
        this.offsetReset = offsetReset;
        this.maxFetchBytes = maxFetchBytes;
        this.wakeUp = wakeUp;
    }

    Set<TopicPartition> partitions()
    {
        return positions.keySet();
    }

    Map<TopicPartition, Long> positions()
    {
        return positions;
    }

    Long position(final TopicPartition partition)
    {
        return positions.get(partition);
    }

    /**
     * Read a partition from an offset, or its committed offset when there is one (>= 0), else where the
     * offset-reset policy says.
     */
    void start(final TopicPartition partition, final long committed)
    {
        seek(partition, startOffset(partition, committed));
    }

    /**
     * @return the committed offset, else where the reset policy starts (asks the broker).
     */
    long startOffset(final TopicPartition partition, final long committed)
    {
        return committed >= 0 ? committed : resetOffset(partition);
    }

    void seek(final TopicPartition partition, final long offset)
    {
        final CompletableFuture<Reply> pending = inFlight.remove(partition);
        if (null != pending)
        {
            pending.cancel(false);
        }
        positions.put(partition, offset);
    }

    void remove(final TopicPartition partition)
    {
        positions.remove(partition);
        inFlight.remove(partition);
    }

    /**
     * Send a fetch for every partition that has none in flight.
     */
    void send(final Duration wait)
    {
        final int waitMs = (int)Math.min(Integer.MAX_VALUE, wait.toMillis());
        for (final Map.Entry<TopicPartition, Long> entry : positions.entrySet())
        {
            inFlight.computeIfAbsent(entry.getKey(), partition ->
            {
                final CompletableFuture<Reply> answer = connection.send(Requests.fetch(
                    partition.topic(), partition.partition(), entry.getValue(), maxFetchBytes, waitMs));
                // wake a poll waiting on the queue the moment the answer arrives, not at its next time slice
                answer.whenComplete((response, error) -> wakeUp.run());
                return answer;
            });
        }
    }

    /**
     * Decode the answers that arrived into records and move the positions past them.
     *
     * @throws PortaskException for a non-retriable error (OFFSET_OUT_OF_RANGE only with {@link OffsetReset#NONE}).
     */
    void harvest(final Records.Sink records)
    {
        final var iterator = inFlight.entrySet().iterator();
        while (iterator.hasNext())
        {
            final Map.Entry<TopicPartition, CompletableFuture<Reply>> entry = iterator.next();
            if (!entry.getValue().isDone())
            {
                continue;
            }
            iterator.remove();
            final TopicPartition partition = entry.getKey();
            final Reply response;
            try
            {
                response = connection.await(entry.getValue());
            }
            catch (final PortaskException ex)
            {
                if (ex.isRetriable() || reset(partition, ex))
                {
                    continue;
                }
                throw ex;
            }
            positions.put(partition, decode(partition, response, positions.get(partition), records));
        }
    }

    /**
     * The first offset whose record's timestamp is at or after a time, by binary search over the partition with a
     * fetch a step (timestamps taken as growing with offsets, as Kafka's time index takes them).
     *
     * @return that offset, or the high watermark when every record is older.
     */
    long offsetForTime(final TopicPartition partition, final long timestampMs)
    {
        final long[] range = admin.offsets(partition);
        long low = range[0];
        long high = range[1];
        while (low < high)
        {
            final long middle = low + (high - low) / 2;
            final Records.ListSink records = new Records.ListSink();
            decode(partition, connection.await(connection.send(Requests.fetch(
                partition.topic(), partition.partition(), middle, 1, 0))), middle, records);
            if (records.records.isEmpty())
            {
                high = middle; // retention moved the log start meanwhile
            }
            else if (records.records.get(0).timestampMs() >= timestampMs)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }
        return low;
    }

    private long decode(final TopicPartition partition, final Reply response, final long from,
        final Records.Sink records)
    {
        final FetchResponseDecoder decoder =
            new FetchResponseDecoder().wrapAndApplyHeader(response.buffer(), 0, response.header());
        final int length = decoder.batchesLength();
        final int at = decoder.limit() + FetchResponseDecoder.batchesHeaderLength();
        return Records.decode(reader, partition, response.buffer(), at, length, from, records);
    }

    /**
     * Apply the offset-reset policy to a fetch refused as out of range.
     *
     * @return true when the position moved and polling goes on.
     */
    private boolean reset(final TopicPartition partition, final PortaskException error)
    {
        if (ErrorCode.OFFSET_OUT_OF_RANGE != error.code() || OffsetReset.NONE == offsetReset)
        {
            return false;
        }
        positions.put(partition, resetOffset(partition));
        return true;
    }

    private long resetOffset(final TopicPartition partition)
    {
        final long[] offsets = admin.offsets(partition);
        return OffsetReset.LATEST == offsetReset ? offsets[1] : offsets[0];
    }
}
