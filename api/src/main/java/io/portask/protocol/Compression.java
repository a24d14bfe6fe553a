package io.portask.protocol;

/**
 * How a producer (the SDK's, the CLI's, the gateway's) compresses its record batches (docs/protocol.md, "Compressed
 * batches"). The broker stores and serves a batch as it was sent; readers decompress transparently.
 */
public enum Compression
{
    /** Batches go as they are. */
    NONE,
    /** Every batch over the threshold is compressed with zstd, unless that would not make it smaller. */
    ZSTD,
    /**
     * As ZSTD, but compression is skipped while recent batches compressed poorly (to less than 1/1.1 of their
     * size), trying again every 16th batch: for payloads that do not compress (encrypted, already compressed).
     */
    ADAPTIVE
}
