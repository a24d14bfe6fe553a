package io.portask.ops.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import com.code_intelligence.jazzer.mutation.annotation.WithLength;
import io.portask.protocol.BatchCompression;
import io.portask.protocol.RecordReader;
import io.portask.protocol.buffer.SafeBuffer;

/**
 * Fuzz target for what reads records out of fetched batches (the SDK consumer and the gateway): any bytes as a run
 * of batches, compressed or not, read through {@link RecordReader} with a zstd codec. Reading may stop only with
 * IllegalStateException (a truncated or corrupt batch, {@link BatchCompression.CorruptBatchException} included);
 * every record it yields must lie inside its batch, headers included. A CRC guards the wire, not a producer that
 * computed a valid CRC over nonsense, so the reader must hold on its own.
 */
class BatchFuzzTest
{
    private static final int MAX_UNCOMPRESSED = 1 << 20;
    private static final BatchCompression CODEC = new BatchCompression(BatchCompression.DEFAULT_LEVEL);
    private static final RecordReader READER = new RecordReader(CODEC, MAX_UNCOMPRESSED);

    @FuzzTest(maxDuration = "60s")
    void batches(final byte @NotNull @WithLength(max = 65536) [] bytes)
    {
        final SafeBuffer buffer = new SafeBuffer(bytes);
        READER.wrap(buffer, 0, bytes.length);
        try
        {
            int records = 0;
            while (READER.next() && records++ < 100_000)
            {
                final int end = READER.buffer().capacity();
                inside(READER.keyOffset(), READER.keyLength(), end);
                inside(READER.valueOffset(), READER.valueLength(), end);
                READER.forEachHeader((headers, keyOffset, keyLength, valueOffset, valueLength) ->
                {
                    inside(keyOffset, keyLength, end);
                    inside(valueOffset, valueLength, end);
                });
                READER.key();
                READER.value();
            }
        }
        catch (final IllegalStateException refused)
        {
            // a truncated or corrupt batch: refused with a message
        }
    }

    private static void inside(final int offset, final int length, final int end)
    {
        if (length > 0 && (offset < 0 || offset + length > end))
        {
            throw new AssertionError("a record field [" + offset + ", +" + length + ") outside its batch");
        }
    }
}
