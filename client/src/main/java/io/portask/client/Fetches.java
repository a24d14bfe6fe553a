package io.portask.client;

import io.portask.protocol.ErrorCode;
import io.portask.protocol.RecordReader;
import io.portask.protocol.link.Reply;
import io.portask.protocol.link.Requests;
import io.portask.protocol.sbe.FetchResponseDecoder;

import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The partitions a consumer reads by fetching: each one's position and at most one fetch in flight, the answers
 * decoded into records, the offset-reset policy applied when retention moved the log start past a position.
 * <p>
 * Threading: the consumer's poll thread; answers complete on the connection's reader thread.
 */
final class Fetches
{
    private final Map<TopicPartition, FetchSlot> slots = new LinkedHashMap<>();
    /** The slots again, in a list: poll walks it by index (no iterator per poll). */
    private final List<FetchSlot> order = new ArrayList<>();
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
        return slots.keySet();
    }

    /**
     * @return a copy: each partition's position.
     */
    Map<TopicPartition, Long> positions()
    {
        final Map<TopicPartition, Long> positions = new LinkedHashMap<>();
        order.forEach(slot -> positions.put(slot.partition, slot.position()));
        return positions;
    }

    Long position(final TopicPartition partition)
    {
        final FetchSlot slot = slots.get(partition);
        return null == slot ? null : slot.position();
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
        final FetchSlot slot = slots.get(partition);
        if (null != slot)
        {
            slot.seek(offset);
            return;
        }
        final FetchSlot added = new FetchSlot(partition, offset, wakeUp);
        slots.put(partition, added);
        order.add(added);
    }

    void remove(final TopicPartition partition)
    {
        final FetchSlot slot = slots.remove(partition);
        if (null != slot)
        {
            order.remove(slot); // an answer still in flight lands in the orphaned slot, unread
        }
    }

    /**
     * Send a fetch for every partition that has none in flight.
     *
     * @param waitMs how long the broker may hold a fetch for data.
     */
    void send(final int waitMs)
    {
        for (int i = 0; i < order.size(); i++)
        {
            final FetchSlot slot = order.get(i);
            if (FetchSlot.IDLE == slot.state())
            {
                slot.sending(maxFetchBytes, waitMs);
                connection.send(slot, slot); // the answer wakes a poll waiting for it, not its next time slice
            }
        }
    }

    /**
     * Decode the answers that arrived into records and move the positions past them.
     *
     * @throws PortaskException for a non-retriable error (OFFSET_OUT_OF_RANGE only with {@link OffsetReset#NONE}).
     */
    void harvest(final Records.Sink records)
    {
        for (int i = 0; i < order.size(); i++)
        {
            final FetchSlot slot = order.get(i);
            if (!slot.take())
            {
                continue;
            }
            if (null != slot.error())
            {
                final PortaskException ex = PortaskException.from(slot.error());
                if (ex.isRetriable() || reset(slot, ex))
                {
                    continue;
                }
                throw ex;
            }
            slot.moveTo(decode(slot.partition, slot.answerBuffer(), slot.answer(), slot.position(), records));
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
            final Reply reply = connection.await(connection.send(Requests.fetch(
                partition.topic(), partition.partition(), middle, 1, 0)));
            decode(partition, reply.buffer(),
                new FetchResponseDecoder().wrapAndApplyHeader(reply.buffer(), 0, reply.header()), middle, records);
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

    private long decode(final TopicPartition partition, final DirectBuffer buffer,
        final FetchResponseDecoder answer, final long from, final Records.Sink records)
    {
        final int length = answer.batchesLength();
        final int at = answer.limit() + FetchResponseDecoder.batchesHeaderLength();
        return Records.decode(reader, partition, buffer, at, length, from, records);
    }

    /**
     * Apply the offset-reset policy to a fetch refused as out of range.
     *
     * @return true when the position moved and polling goes on.
     */
    private boolean reset(final FetchSlot slot, final PortaskException error)
    {
        if (ErrorCode.OFFSET_OUT_OF_RANGE != error.code() || OffsetReset.NONE == offsetReset)
        {
            return false;
        }
        slot.seek(resetOffset(slot.partition));
        return true;
    }

    private long resetOffset(final TopicPartition partition)
    {
        final long[] offsets = admin.offsets(partition);
        return OffsetReset.LATEST == offsetReset ? offsets[1] : offsets[0];
    }
}
