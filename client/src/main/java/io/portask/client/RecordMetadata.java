package io.portask.client;

/**
 * Where an acknowledged record was stored.
 *
 * @param topic     topic name.
 * @param partition partition index.
 * @param offset    the record's offset, or -1 when sent with ack level NONE.
 */
public record RecordMetadata(String topic, int partition, long offset)
{
}
