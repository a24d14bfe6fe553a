package io.portask.storage.spi;

/**
 * Receives an idempotent producer's batches found in a log at open, oldest first, so the core can rebuild what it
 * knows of each producer's sequences after a restart.
 */
@FunctionalInterface
public interface ProducerBatchVisitor
{
    /**
     * @param producerId    the producer.
     * @param producerEpoch its epoch.
     * @param baseSequence  sequence of the batch's first record.
     * @param recordCount   records in the batch.
     * @param baseOffset    offset of the batch's first record.
     * @param timestampMs   the batch's first timestamp.
     */
    void onBatch(long producerId, short producerEpoch, int baseSequence, int recordCount, long baseOffset,
        long timestampMs);
}
