package io.portask.client.internal;

import io.portask.client.ConsumerRecord;
import io.portask.client.Header;
import io.portask.protocol.Frame;
import io.portask.protocol.RecordReader;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns the batches of a fetch or push into {@link ConsumerRecord}s.
 */
public final class Records
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
        final int count = reader.headerCount();
        if (0 == count)
        {
            return List.of();
        }
        final List<Header> headers = new ArrayList<>(count);
        final DirectBuffer buffer = reader.buffer();
        int position = reader.headersOffset();
        for (int i = 0; i < count; i++)
        {
            final int keyLength = buffer.getInt(position, Frame.BYTE_ORDER);
            final String key = buffer.getStringWithoutLengthUtf8(position + 4, keyLength);
            position += 4 + keyLength;
            final int valueLength = buffer.getInt(position, Frame.BYTE_ORDER);
            byte[] value = null;
            if (valueLength >= 0)
            {
                value = new byte[valueLength];
                buffer.getBytes(position + 4, value);
            }
            position += 4 + Math.max(0, valueLength);
            headers.add(new Header(key, value));
        }
        return headers;
    }
}
