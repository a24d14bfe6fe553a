package io.portask.client;

/**
 * What a {@link Producer} calls when a record sent with a callback is stored, or fails for good: no future and no
 * metadata object per record. Called once per record, on the thread that read the answer (the client's reader, or
 * a caller waiting in {@code sendSync}/{@code flush}), so it must not block.
 */
@FunctionalInterface
public interface SendCallback
{
    /**
     * @param partition the record's topic and partition (the batch's own object, not one per record).
     * @param offset    where it was stored; -1 at ack level NONE or when it failed.
     * @param error     null when stored, else why it was not.
     */
    void onCompletion(TopicPartition partition, long offset, PortaskException error);
}
