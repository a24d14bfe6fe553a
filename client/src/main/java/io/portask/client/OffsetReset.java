package io.portask.client;

/**
 * What a {@link Consumer} does when its position is outside the partition (retention deleted the records it was
 * about to read, or a committed offset is past a truncated end): Kafka's {@code auto.offset.reset}.
 */
public enum OffsetReset
{
    /** Move to the log start: read everything still held. The default. */
    EARLIEST,
    /** Move to the high watermark: read only what arrives from now on. */
    LATEST,
    /** Throw OFFSET_OUT_OF_RANGE from poll, position unchanged. */
    NONE
}
