package io.portask.client;

import io.portask.protocol.RecordReader;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * A flyweight over the record a consumer is reading, in the bytes the broker sent: the key and value are read in
 * place ({@link #buffer()} at {@link #keyOffset()} / {@link #valueOffset()}), or copied out by the accessors that
 * say so. One view per consumer, moved from record to record; valid only inside {@link RecordHandler#onRecord}.
 * <p>
 * Threading: the polling thread only.
 */
public final class RecordView
{
    private RecordReader reader;
    private TopicPartition partition;

    void wrap(final RecordReader reader, final TopicPartition partition)
    {
        this.reader = reader;
        this.partition = partition;
    }

    /** @return the record's topic and partition. */
    public TopicPartition partition()
    {
        return partition;
    }

    /** @return the record's offset. */
    public long offset()
    {
        return reader.offset();
    }

    /** @return epoch ms the producer stamped. */
    public long timestampMs()
    {
        return reader.timestampMs();
    }

    /** @return the bytes the key and value are in. */
    public DirectBuffer buffer()
    {
        return reader.buffer();
    }

    /** @return where the key starts in {@link #buffer()}. */
    public int keyOffset()
    {
        return reader.keyOffset();
    }

    /** @return the key's length, -1 for no key. */
    public int keyLength()
    {
        return reader.keyLength();
    }

    /** @return where the value starts in {@link #buffer()}. */
    public int valueOffset()
    {
        return reader.valueOffset();
    }

    /** @return the value's length, -1 for none. */
    public int valueLength()
    {
        return reader.valueLength();
    }

    /** @return a copy of the key, or null. */
    public byte[] key()
    {
        return reader.key();
    }

    /** @return a copy of the value, or null. */
    public byte[] value()
    {
        return reader.value();
    }

    /** @return the value as UTF-8 text (a copy), or null. */
    public String valueAsString()
    {
        return reader.valueLength() < 0 ? null :
            reader.buffer().getStringWithoutLengthUtf8(reader.valueOffset(), reader.valueLength());
    }

    /** @return the key as UTF-8 text (a copy), or null. */
    public String keyAsString()
    {
        return reader.keyLength() < 0 ? null :
            new String(reader.key(), StandardCharsets.UTF_8);
    }

    /** @return the whole record copied out, headers included, as {@link Consumer#poll(java.time.Duration)} gives it. */
    public ConsumerRecord toRecord()
    {
        return Records.copy(reader, partition.topic(), partition.partition());
    }
}
