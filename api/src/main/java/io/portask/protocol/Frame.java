package io.portask.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.checksum.Crc32c;

import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The frame envelope around every message on a Portask TCP connection.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Length (u32 LE, excludes itself)             |
 *  +---------------------------------------------------------------+
 *  |                  CRC32C (u32 LE) of the message               |
 *  +---------------------------------------------------------------+
 *  |                  SBE message (header + body)                 ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Static helpers only: no state, safe from any thread. The CRC runs on the JDK intrinsic and allocates nothing
 * for off-heap buffers.
 */
public final class Frame
{
    /** Frames and SBE messages are little-endian. */
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;
    /** Offset of the length field. */
    public static final int LENGTH_OFFSET = 0;
    /** Offset of the CRC field. */
    public static final int CRC_OFFSET = 4;
    /** Offset of the SBE message, and the size of the envelope. */
    public static final int HEADER_LENGTH = 8;
    /** Bytes the length field counts beyond the message: the CRC field. */
    public static final int LENGTH_FIELD_EXTRA = 4;
    /** The default largest value of the length field: 1 MiB. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 1024 * 1024;

    /** Room kept for a response's fixed fields when a batch must travel back in a fetch or push. */
    public static final int BATCH_OVERHEAD_RESERVE = 64;

    private static final boolean INTRINSIC_CRC = probeIntrinsicCrc();
    private static final int CHUNK = 4096;
    private static final ThreadLocal<CRC32C> FALLBACK_CRC = ThreadLocal.withInitial(CRC32C::new);
    private static final ThreadLocal<byte[]> FALLBACK_CHUNK = ThreadLocal.withInitial(() -> new byte[CHUNK]);

    private Frame()
    {
    }

    private static boolean probeIntrinsicCrc()
    {
        try
        {
            final org.agrona.concurrent.UnsafeBuffer probe =
                new org.agrona.concurrent.UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(8));
            Crc32c.INSTANCE.compute(probe.addressOffset(), 0, 8);
            return true;
        }
        catch (final Throwable ex)
        {
            return false;
        }
    }

    /**
     * Write the envelope in front of a message that is already encoded at {@code frameOffset + HEADER_LENGTH}.
     *
     * @param buffer        holding the frame.
     * @param frameOffset   where the frame starts.
     * @param messageLength length of the SBE message.
     * @return the total frame length, envelope included.
     */
    public static int wrap(final MutableDirectBuffer buffer, final int frameOffset, final int messageLength)
    {
        final int crc = crc32c(buffer, frameOffset + HEADER_LENGTH, messageLength);
        buffer.putInt(frameOffset + LENGTH_OFFSET, messageLength + LENGTH_FIELD_EXTRA, BYTE_ORDER);
        buffer.putInt(frameOffset + CRC_OFFSET, crc, BYTE_ORDER);
        return HEADER_LENGTH + messageLength;
    }

    /**
     * The message length a length field announces.
     *
     * @param lengthField value of the length field.
     * @return length of the SBE message, negative when the field is too small to hold the CRC.
     */
    public static int messageLength(final int lengthField)
    {
        return lengthField - LENGTH_FIELD_EXTRA;
    }

    /**
     * The largest record batch a broker with this maximum frame length accepts, so that any stored batch fits
     * in a fetch response or push.
     *
     * @param maxFrameLength the largest length field accepted.
     * @return the largest batch length.
     */
    public static int maxBatchLength(final int maxFrameLength)
    {
        return messageLength(maxFrameLength) - BATCH_OVERHEAD_RESERVE;
    }

    /**
     * Check a complete frame's CRC.
     *
     * @param buffer      holding the frame.
     * @param frameOffset where the frame starts.
     * @param messageLength length of the SBE message that follows the envelope.
     * @return true when the stored CRC matches the message.
     */
    public static boolean isCrcValid(final DirectBuffer buffer, final int frameOffset, final int messageLength)
    {
        final int stored = buffer.getInt(frameOffset + CRC_OFFSET, BYTE_ORDER);
        return stored == crc32c(buffer, frameOffset + HEADER_LENGTH, messageLength);
    }

    /**
     * CRC32C of a range of a buffer, without allocation. Off-heap ranges go straight to the JDK intrinsic when
     * {@code java.util.zip} is opened to Agrona (the broker's JVM flags do); without the flag, as in an
     * application that embeds the client, a thread-local CRC32C reads them in chunks.
     *
     * @param buffer to read.
     * @param offset first byte.
     * @param length number of bytes.
     * @return the checksum as a signed int.
     */
    public static int crc32c(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] array = buffer.byteArray();
        if (null == array && INTRINSIC_CRC)
        {
            return Crc32c.INSTANCE.compute(buffer.addressOffset(), offset, length);
        }
        if (null != array)
        {
            return crc32c(array, buffer.wrapAdjustment() + offset, length);
        }
        final CRC32C crc = FALLBACK_CRC.get();
        crc.reset();
        final byte[] chunk = FALLBACK_CHUNK.get();
        for (int done = 0; done < length; done += CHUNK)
        {
            final int size = Math.min(CHUNK, length - done);
            buffer.getBytes(offset + done, chunk, 0, size);
            crc.update(chunk, 0, size);
        }
        return (int)crc.getValue();
    }

    /**
     * CRC32C of a range of an array, without allocation.
     *
     * @param array  to read.
     * @param offset first byte.
     * @param length number of bytes.
     * @return the checksum as a signed int.
     */
    public static int crc32c(final byte[] array, final int offset, final int length)
    {
        final CRC32C crc = FALLBACK_CRC.get();
        crc.reset();
        crc.update(array, offset, length);
        return (int)crc.getValue();
    }
}
