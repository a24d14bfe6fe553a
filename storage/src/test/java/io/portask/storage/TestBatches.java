package io.portask.storage;

import io.portask.protocol.RecordBatchWriter;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Builds record batches for storage tests.
 */
final class TestBatches
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(1024 * 1024));
    private final RecordBatchWriter writer = new RecordBatchWriter();

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * A batch of {@code count} records whose values read "prefix-i".
     *
     * @return its length; the batch starts at offset 0 of {@link #buffer()}.
     */
    int batch(final String prefix, final int count)
    {
        writer.reset(buffer, 0, buffer.capacity());
        for (int i = 0; i < count; i++)
        {
            writer.append(1_000 + i, null, (prefix + "-" + i).getBytes(StandardCharsets.UTF_8));
        }
        return writer.seal();
    }
}
