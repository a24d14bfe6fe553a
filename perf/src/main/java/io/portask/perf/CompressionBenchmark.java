package io.portask.perf;

import io.portask.protocol.BatchCompression;
import io.portask.protocol.RecordBatchWriter;
import io.portask.protocol.RecordReader;
import io.portask.protocol.buffer.SafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;

/**
 * zstd over a whole batch of 100 records of ~100 bytes, JSON-like (order records) or random: compress as the
 * producer does, and decompress-and-read as a consumer does (every record's value visited). Prints the
 * compression ratio of the batch at setup. Both must allocate nothing per batch: run with {@code -prof gc}.
 */
@State(Scope.Thread)
public class CompressionBenchmark extends BenchmarkBase
{
    @Param({ "json", "random" })
    String payload;

    @Param({ "1", "3" })
    int level;

    private final SafeBuffer plain = new SafeBuffer(new byte[64 * 1024]);
    private final SafeBuffer compressed = new SafeBuffer(new byte[64 * 1024]);
    private BatchCompression codec;
    private RecordReader reader;
    private int plainLength;
    private int compressedLength;

    /**
     * Build the batch and its compressed form.
     */
    @Setup(Level.Trial)
    public void setup()
    {
        codec = new BatchCompression(level);
        reader = new RecordReader(codec, 1024 * 1024);
        final Random random = new Random(7);
        final RecordBatchWriter writer = new RecordBatchWriter().reset(plain, 0, plain.capacity());
        for (int i = 0; i < 100; i++)
        {
            final byte[] value;
            if ("json".equals(payload))
            {
                value = String.format(Locale.ROOT, "{\"id\":%d,\"symbol\":\"%s\",\"side\":\"%s\",\"qty\":%d," +
                    "\"price\":%d.%02d,\"account\":\"A-%d\"}", 1_000_000 + i,
                    new String[]{ "ACME", "GLOBEX", "INITECH" }[random.nextInt(3)], random.nextBoolean() ? "BUY" :
                    "SELL", 1 + random.nextInt(500), 100 + random.nextInt(9000), random.nextInt(100),
                    random.nextInt(64)).getBytes(StandardCharsets.US_ASCII);
            }
            else
            {
                value = new byte[100];
                random.nextBytes(value);
            }
            writer.append(1_700_000_000_000L + i, null, value);
        }
        plainLength = writer.seal();
        compressedLength = codec.compress(plain, 0, plainLength, compressed, 0);
        System.out.printf(Locale.ROOT, "%n%s level %d: batch %d B -> %d B, ratio %.2f%n", payload, level,
            plainLength, compressedLength, (double)plainLength / compressedLength);
    }

    /**
     * Free the zstd contexts.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        codec.close();
    }

    /**
     * @return compressed length.
     */
    @Benchmark
    public int compress()
    {
        return codec.compress(plain, 0, plainLength, compressed, 0);
    }

    /**
     * @return sum of value lengths, so that the reads are not eliminated.
     */
    @Benchmark
    public long decompressAndRead()
    {
        reader.wrap(compressed, 0, compressedLength);
        long sum = 0;
        while (reader.next())
        {
            sum += reader.valueLength() + reader.buffer().getByte(reader.valueOffset());
        }
        return sum;
    }
}
