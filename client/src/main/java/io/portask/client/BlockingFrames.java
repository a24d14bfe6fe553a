package io.portask.client;

import io.portask.protocol.Frame;
import io.portask.protocol.buffer.SafeBuffer;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Frames read from a blocking socket into buffers reused frame after frame (grown when a larger one comes): one
 * per reading thread. A frame's message is valid until the next read.
 */
final class BlockingFrames
{
    private final SafeBuffer frame = new SafeBuffer();
    private final SafeBuffer message = new SafeBuffer();
    private final int maxFrameLength;
    private byte[] bytes = new byte[4096];

    BlockingFrames(final int maxFrameLength)
    {
        this.maxFrameLength = maxFrameLength;
        frame.wrap(bytes);
    }

    /**
     * @return the next frame's message, its length and CRC checked: this reader's buffer, until the next read.
     */
    SafeBuffer read(final InputStream in) throws IOException
    {
        readFully(in, bytes, 0, Frame.HEADER_LENGTH);
        final int messageLength =
            NonBlockingFrames.checkedLength(frame.getInt(Frame.LENGTH_OFFSET, Frame.BYTE_ORDER), maxFrameLength);
        final int frameLength = Frame.HEADER_LENGTH + messageLength;
        if (bytes.length < frameLength)
        {
            bytes = Arrays.copyOf(bytes, Math.max(frameLength, bytes.length * 2));
            frame.wrap(bytes);
        }
        readFully(in, bytes, Frame.HEADER_LENGTH, messageLength);
        if (!Frame.isCrcValid(frame, 0, messageLength))
        {
            throw new IOException("frame CRC mismatch from broker");
        }
        message.wrap(bytes, Frame.HEADER_LENGTH, messageLength);
        return message;
    }

    private static void readFully(final InputStream in, final byte[] buffer, final int offset, final int length)
        throws IOException
    {
        int at = offset;
        final int end = offset + length;
        while (at < end)
        {
            final int read = in.read(buffer, at, end - at);
            if (read < 0)
            {
                throw new EOFException("broker closed the connection");
            }
            at += read;
        }
    }
}
