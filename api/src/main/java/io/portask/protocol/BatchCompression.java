package io.portask.protocol;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.portask.protocol.Frame.BYTE_ORDER;

/**
 * zstd compression of a whole record batch, done by producers and undone by readers; the broker never does either
 * (it validates the outer batch only, {@link RecordBatch#validate(int)}). A compressed batch keeps the 32-byte
 * header of {@link RecordBatch} (base offset, its own length and CRC, record count, attributes with compression 1,
 * first timestamp) and its producer fields when it has them (R = 32, or 48), and replaces the records with:
 * <pre>
 *  R      uncompressedLength  int32  bytes of the records once decompressed (bounds the reader's output)
 *  R + 4  one zstd frame (RFC 8878, no dictionary) of the records, exactly as an uncompressed batch lays them out
 * </pre>
 * A reader refuses a batch whose uncompressed length is over its limit, whose frame does not decompress to exactly
 * that many bytes, or whose records do not exactly fill them: {@link CorruptBatchException}, never an
 * OutOfMemoryError. zstd's native library (inside the zstd-jni jar, linux x86_64 and aarch64 among others) loads
 * on first use.
 * <p>
 * Threading: one instance per thread; it keeps a zstd context of each kind and a scratch array.
 */
public final class BatchCompression implements AutoCloseable
{
    /** Offset of the uncompressed-length field of a compressed batch without producer fields. */
    public static final int UNCOMPRESSED_LENGTH_OFFSET = RecordBatch.HEADER_LENGTH;
    /** Offset of the zstd frame of a compressed batch without producer fields. */
    public static final int DATA_OFFSET = UNCOMPRESSED_LENGTH_OFFSET + 4;
    /** zstd's default level. */
    public static final int DEFAULT_LEVEL = 3;

    private final int level;
    private ZstdCompressCtx compressor;
    private ZstdDecompressCtx decompressor;
    private byte[] source = new byte[0];
    private byte[] target = new byte[0];

    /**
     * @param level zstd level, 1 (fast) to 19 (small); negative levels are faster still.
     */
    public BatchCompression(final int level)
    {
        if (level < Zstd.minCompressionLevel() || level > Zstd.maxCompressionLevel())
        {
            throw new IllegalArgumentException("zstd level must be in [" + Zstd.minCompressionLevel() + ", " +
                Zstd.maxCompressionLevel() + "], got " + level);
        }
        this.level = level;
    }

    /**
     * @param uncompressedBatchLength length of a sealed uncompressed batch.
     * @return the most bytes its compressed form can take.
     */
    public static int maxCompressedLength(final int uncompressedBatchLength)
    {
        return RecordBatch.PRODUCER_HEADER_LENGTH + 4 +
            (int)Zstd.compressBound(uncompressedBatchLength - RecordBatch.HEADER_LENGTH);
    }

    /**
     * @param batch  holding a compressed batch.
     * @param offset where it starts.
     * @return where its zstd frame starts, relative to it.
     */
    public static int dataOffset(final DirectBuffer batch, final int offset)
    {
        return RecordBatch.recordsOffset(batch, offset) + 4;
    }

    /**
     * Compress a sealed uncompressed batch into a compressed one, header copied, CRC computed.
     *
     * @param src       holding the sealed batch.
     * @param srcOffset where it starts.
     * @param srcLength its length.
     * @param dst       to write the compressed batch to, with room for {@link #maxCompressedLength(int)}.
     * @param dstOffset where it goes.
     * @return the compressed batch's length.
     */
    public int compress(
        final DirectBuffer src, final int srcOffset, final int srcLength, final MutableDirectBuffer dst,
        final int dstOffset)
    {
        if (null == compressor)
        {
            compressor = new ZstdCompressCtx().setLevel(level).setChecksum(false).setContentSize(true);
        }
        final int header = RecordBatch.recordsOffset(src, srcOffset);
        final int dataOffset = header + 4;
        final int recordsLength = srcLength - header;
        final int bound = (int)Zstd.compressBound(recordsLength);
        final byte[] in = arrayOf(src, srcOffset + header, recordsLength);
        final int inOffset = in == source ? 0 : src.wrapAdjustment() + srcOffset + header;
        final boolean direct = null != dst.byteArray();
        final byte[] out = direct ? dst.byteArray() : scratch(bound, false);
        final int outOffset = direct ? dst.wrapAdjustment() + dstOffset + dataOffset : 0;
        if (direct)
        {
            dst.boundsCheck(dstOffset + dataOffset, bound);
        }
        final int compressed = compressor.compressByteArray(out, outOffset, bound, in, inOffset, recordsLength);
        if (!direct)
        {
            dst.putBytes(dstOffset + dataOffset, out, 0, compressed);
        }
        dst.putBytes(dstOffset, src, srcOffset, header);
        dst.putInt(dstOffset + header, recordsLength, BYTE_ORDER);
        final int attributes = src.getShort(srcOffset + RecordBatch.ATTRIBUTES_OFFSET, BYTE_ORDER);
        dst.putShort(dstOffset + RecordBatch.ATTRIBUTES_OFFSET,
            (short)((attributes & ~RecordBatch.COMPRESSION_MASK) | RecordBatch.COMPRESSION_ZSTD), BYTE_ORDER);
        final int length = dataOffset + compressed;
        RecordBatch.seal(dst, dstOffset, length);
        return length;
    }

    /**
     * Decompress the records of a compressed batch (its outer CRC already checked by the caller).
     *
     * @param batch     holding the compressed batch.
     * @param offset    where it starts.
     * @param length    its length.
     * @param dst       to write the records to, laid out as in an uncompressed batch after its header.
     * @param dstOffset where they go; dst must have room for {@link #uncompressedLength(DirectBuffer, int)}.
     * @param maxLength the most bytes the records may decompress to.
     * @return the records' length.
     * @throws CorruptBatchException when the batch claims too much, does not decompress, or its records do not
     *                               exactly fill what it decompresses to.
     */
    public int decompress(
        final DirectBuffer batch, final int offset, final int length, final MutableDirectBuffer dst,
        final int dstOffset, final int maxLength)
    {
        final int recordCount = batch.getInt(offset + RecordBatch.RECORD_COUNT_OFFSET, BYTE_ORDER);
        final int expected = uncompressedLength(batch, offset);
        final int dataOffset = dataOffset(batch, offset);
        if (length < dataOffset || expected < recordCount * RecordBatch.MIN_RECORD_LENGTH || expected > maxLength)
        {
            throw new CorruptBatchException("compressed batch claims " + expected + " bytes of " + recordCount +
                " records (at most " + maxLength + ")");
        }
        if (null == decompressor)
        {
            decompressor = new ZstdDecompressCtx();
        }
        final byte[] in = arrayOf(batch, offset + dataOffset, length - dataOffset);
        final int inOffset = in == source ? 0 : batch.wrapAdjustment() + offset + dataOffset;
        final boolean direct = null != dst.byteArray();
        final byte[] out = direct ? dst.byteArray() : scratch(expected, false);
        final int outOffset = direct ? dst.wrapAdjustment() + dstOffset : 0;
        if (direct)
        {
            dst.boundsCheck(dstOffset, expected);
        }
        final int produced;
        try
        {
            produced = decompressor.decompressByteArray(out, outOffset, expected, in, inOffset, length - dataOffset);
        }
        catch (final ZstdException ex)
        {
            throw new CorruptBatchException("compressed batch does not decompress: " + ex.getMessage());
        }
        if (produced != expected)
        {
            throw new CorruptBatchException("compressed batch decompressed to " + produced + " bytes, not " +
                expected);
        }
        if (!direct)
        {
            dst.putBytes(dstOffset, out, 0, produced);
        }
        if (!RecordBatch.recordsFill(dst, dstOffset, dstOffset + produced, recordCount))
        {
            throw new CorruptBatchException("compressed batch's records do not fill what it decompresses to");
        }
        return produced;
    }

    /**
     * @param batch  holding a compressed batch.
     * @param offset where it starts.
     * @return what its records decompress to, as its header says.
     */
    public static int uncompressedLength(final DirectBuffer batch, final int offset)
    {
        return batch.getInt(offset + RecordBatch.recordsOffset(batch, offset), BYTE_ORDER);
    }

    private byte[] arrayOf(final DirectBuffer buffer, final int offset, final int length)
    {
        if (null != buffer.byteArray())
        {
            buffer.boundsCheck(offset, length);
            return buffer.byteArray();
        }
        final byte[] copy = scratch(length, true);
        buffer.getBytes(offset, copy, 0, length);
        return copy;
    }

    private byte[] scratch(final int length, final boolean isSource)
    {
        if (isSource)
        {
            if (source.length < length)
            {
                source = new byte[length];
            }
            return source;
        }
        if (target.length < length)
        {
            target = new byte[length];
        }
        return target;
    }

    /**
     * Free the native zstd contexts.
     */
    public void close()
    {
        if (null != compressor)
        {
            compressor.close();
        }
        if (null != decompressor)
        {
            decompressor.close();
        }
    }

    /** A compressed batch that cannot be trusted: the reader reports CORRUPT_MESSAGE. */
    public static final class CorruptBatchException extends IllegalStateException
    {
        private static final long serialVersionUID = 1L;

        /**
         * @param message what is wrong.
         */
        public CorruptBatchException(final String message)
        {
            super(message);
        }
    }
}
