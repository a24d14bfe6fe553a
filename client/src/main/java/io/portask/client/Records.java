package io.portask.client;

import io.portask.protocol.RecordReader;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns the batches of a fetch or push into {@link ConsumerRecord}s.
 */
final class Records
{
    private Records()
    {
    }

    /**
     * @param topic      topic of the batches.
     * @param partition  partition of the batches.
     * @param buffer     holding the batches.
     * @param offset     where they start.
     * @param length     their total length.
     * @param fromOffset records before this offset are skipped (a batch may start before it).
     * @param into       receives the records.
     * @return the offset after the last record read, or fromOffset when none.
     */
    public static long decode(
        final String topic,
        final int partition,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long fromOffset,
        final List<ConsumerRecord> into)
    {
        long next = fromOffset;
        final RecordReader reader = new RecordReader().wrap(buffer, offset, length);
        while (reader.next())
        {
            if (reader.offset() < fromOffset)
            {
                continue;
            }
            into.add(new ConsumerRecord(topic, partition, reader.offset(), reader.timestampMs(), reader.key(),
                reader.value(), headers(reader)));
            next = reader.offset() + 1;
        }
        return next;
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
