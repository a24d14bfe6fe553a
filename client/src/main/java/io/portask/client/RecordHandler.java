package io.portask.client;

/**
 * Receives records from {@link Consumer#poll(java.time.Duration, RecordHandler)} one at a time as a
 * {@link RecordView} over the fetched bytes: no object per record.
 */
@FunctionalInterface
public interface RecordHandler
{
    /**
     * @param record the next record; valid only during this call (copy what you keep: {@link RecordView#key()},
     *               {@link RecordView#value()}, {@link RecordView#toRecord()}).
     */
    void onRecord(RecordView record);
}
