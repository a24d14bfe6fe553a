package io.portask.client;

import io.portask.protocol.BatchCompression;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.RecordReader;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns the batches of a fetch or push into records for a {@link Sink}: {@link ConsumerRecord}s in a list, or a
 * {@link RecordView} handed to a {@link RecordHandler}.
 */
final class Records
{
    /**
     * Where decoded records go.
     */
    interface Sink
    {
        /**
         * @param reader    positioned on the record.
         * @param partition its topic and partition.
         */
        void accept(RecordReader reader, TopicPartition partition);

        /**
         * @return records accepted so far.
         */
        int count();
    }

    /**
     * Copies each record into a list.
     */
    static final class ListSink implements Sink
    {
        final List<ConsumerRecord> records = new ArrayList<>();

        public void accept(final RecordReader reader, final TopicPartition partition)
        {
            records.add(copy(reader, partition.topic(), partition.partition()));
        }

        public int count()
        {
            return records.size();
        }
    }

    /**
     * Hands each record to a handler through one reusable view.
     */
    static final class ViewSink implements Sink
    {
        private final RecordView view = new RecordView();
        private RecordHandler handler;
        private int count;

        ViewSink reset(final RecordHandler handler)
        {
            this.handler = handler;
            this.count = 0;
            return this;
        }

        public void accept(final RecordReader reader, final TopicPartition partition)
        {
            view.wrap(reader, partition);
            count++;
            handler.onRecord(view);
        }

        public int count()
        {
            return count;
        }
    }

    private Records()
    {
    }

    static ConsumerRecord copy(final RecordReader reader, final String topic, final int partition)
    {
        return new ConsumerRecord(topic, partition, reader.offset(), reader.timestampMs(), reader.key(),
            reader.value(), headers(reader));
    }

    /**
     * @param reader     the consumer's reader (it decompresses compressed batches).
     * @param partition  topic and partition of the batches.
     * @param buffer     holding the batches.
     * @param offset     where they start.
     * @param length     their total length.
     * @param fromOffset records before this offset are skipped (a batch may start before it).
     * @param into       receives the records.
     * @return the offset after the last record read, or fromOffset when none.
     * @throws PortaskException CORRUPT_MESSAGE when a compressed batch cannot be trusted.
     */
    static long decode(
        final RecordReader reader,
        final TopicPartition partition,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long fromOffset,
        final Sink into)
    {
        long next = fromOffset;
        reader.wrap(buffer, offset, length);
        while (nextRecord(reader, partition.topic(), partition.partition(), next))
        {
            if (reader.offset() < fromOffset)
            {
                continue;
            }
            next = reader.offset() + 1;
            into.accept(reader, partition);
        }
        return next;
    }

    private static boolean nextRecord(
        final RecordReader reader, final String topic, final int partition, final long position)
    {
        try
        {
            return reader.next();
        }
        catch (final BatchCompression.CorruptBatchException ex)
        {
            throw new PortaskException(ErrorCode.CORRUPT_MESSAGE, topic + "/" + partition + " after offset " +
                position + ": " + ex.getMessage());
        }
    }

    private static List<Header> headers(final RecordReader reader)
    {
        if (0 == reader.headerCount())
        {
            return List.of();
        }
        final List<Header> headers = new ArrayList<>(reader.headerCount());
        reader.forEachHeader((buffer, keyOffset, keyLength, valueOffset, valueLength) ->
        {
            byte[] value = null;
            if (valueLength >= 0)
            {
                value = new byte[valueLength];
                buffer.getBytes(valueOffset, value);
            }
            headers.add(new Header(buffer.getStringWithoutLengthUtf8(keyOffset, keyLength), value));
        });
        return headers;
    }
}
