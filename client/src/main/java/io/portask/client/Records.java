package io.portask.client;

import io.portask.protocol.BatchCompression;
import io.portask.protocol.ErrorCode;
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
     * @param reader     the consumer's reader (it decompresses compressed batches).
     * @param topic      topic of the batches.
     * @param partition  partition of the batches.
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
        final String topic,
        final int partition,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long fromOffset,
        final List<ConsumerRecord> into)
    {
        long next = fromOffset;
        reader.wrap(buffer, offset, length);
        while (nextRecord(reader, topic, partition, next))
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
