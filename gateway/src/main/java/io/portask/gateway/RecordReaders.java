package io.portask.gateway;

import io.portask.protocol.BatchCompression;
import io.portask.protocol.Frame;
import io.portask.protocol.RecordBatch;
import io.portask.protocol.RecordReader;
import org.agrona.DirectBuffer;

/**
 * One {@link RecordReader} per thread, able to decompress compressed batches, for the routes that turn fetched or
 * pushed batches into JSON. The threads that use them (the broker link's and Vert.x's event loops) live as long
 * as the gateway, so their zstd contexts do too.
 */
final class RecordReaders
{
    private static final ThreadLocal<RecordReader> READERS = ThreadLocal.withInitial(() -> new RecordReader(
        new BatchCompression(BatchCompression.DEFAULT_LEVEL),
        Frame.maxBatchLength(Frame.DEFAULT_MAX_FRAME_LENGTH) - RecordBatch.HEADER_LENGTH));

    private RecordReaders()
    {
    }

    /**
     * @param buffer holding batches.
     * @param offset where they start.
     * @param length their total length.
     * @return this thread's reader, positioned before the first record.
     */
    static RecordReader over(final DirectBuffer buffer, final int offset, final int length)
    {
        return READERS.get().wrap(buffer, offset, length);
    }
}
