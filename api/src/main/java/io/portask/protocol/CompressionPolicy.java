package io.portask.protocol;

import io.portask.protocol.buffer.SafeBuffer;

/**
 * A producer's compression policy over {@link BatchCompression}: which batches to compress (over the threshold;
 * for {@link Compression#ADAPTIVE}, not while recent batches compressed poorly) and the compressed copy of one.
 * <p>
 * Threading: one thread at a time (the SDK producer's sender thread; one per gateway event loop).
 */
public final class CompressionPolicy implements AutoCloseable
{
    /** Under this ratio (original / compressed) compression is not worth its time. */
    public static final double POOR_RATIO = 1.1;
    /** While compression is poor, an ADAPTIVE producer still tries every this many batches. */
    public static final int PROBE_EVERY = 16;

    private final Compression mode;
    private final int thresholdBytes;
    private final BatchCompression codec;
    private double recentRatio = 2.0;
    private int skippedSinceProbe;

    /**
     * @param mode           NONE, ZSTD or ADAPTIVE.
     * @param level          zstd level.
     * @param thresholdBytes batches under this go uncompressed.
     */
    public CompressionPolicy(final Compression mode, final int level, final int thresholdBytes)
    {
        this.mode = mode;
        this.thresholdBytes = thresholdBytes;
        this.codec = Compression.NONE == mode ? null : new BatchCompression(level);
    }

    /**
     * @param batch  a sealed uncompressed batch at offset 0.
     * @param length its length.
     * @return its compressed copy at offset 0 of a new buffer (capacity = its length), or null to send it as it is.
     */
    public SafeBuffer compress(final SafeBuffer batch, final int length)
    {
        if (null == codec || length < thresholdBytes)
        {
            return null;
        }
        if (Compression.ADAPTIVE == mode && recentRatio < POOR_RATIO && ++skippedSinceProbe < PROBE_EVERY)
        {
            return null;
        }
        skippedSinceProbe = 0;
        final SafeBuffer compressed = new SafeBuffer(new byte[BatchCompression.maxCompressedLength(length)]);
        final int compressedLength = codec.compress(batch, 0, length, compressed, 0);
        recentRatio = 0.8 * recentRatio + 0.2 * ((double)length / compressedLength);
        if (compressedLength >= length)
        {
            return null;
        }
        compressed.wrap(compressed.byteArray(), 0, compressedLength);
        return compressed;
    }

    /**
     * @return the moving average of original / compressed length over recent compressed batches.
     */
    public double recentRatio()
    {
        return recentRatio;
    }

    /**
     * Free the zstd context.
     */
    public void close()
    {
        if (null != codec)
        {
            codec.close();
        }
    }
}
