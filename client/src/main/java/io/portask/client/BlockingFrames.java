package io.portask.client;

import io.portask.protocol.Frame;
import io.portask.protocol.buffer.SafeBuffer;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Frames read from a blocking socket into buffers reused frame after frame (grown when a larger one comes): one
 * per reading thread. A frame's message is valid until the next read.
 */
final class BlockingFrames
{
    private final byte[] headerBytes = new byte[Frame.HEADER_LENGTH];
    private final SafeBuffer header = new SafeBuffer(headerBytes);
    private final SafeBuffer message = new SafeBuffer();
    private final int maxFrameLength;
    private byte[] body = new byte[4096];

    BlockingFrames(final int maxFrameLength)
    {
        this.maxFrameLength = maxFrameLength;
    }

    /**
     * @return the next frame's message, its length and CRC checked: this reader's buffer, until the next read.
     */
    SafeBuffer read(final InputStream in) throws IOException
    {
        readFully(in, headerBytes, headerBytes.length);
        final int messageLength =
            NonBlockingFrames.checkedLength(header.getInt(Frame.LENGTH_OFFSET, Frame.BYTE_ORDER), maxFrameLength);
        if (body.length < messageLength)
        {
            body = new byte[Math.max(messageLength, body.length * 2)];
        }
        readFully(in, body, messageLength);
        message.wrap(body, 0, messageLength);
        if (header.getInt(Frame.CRC_OFFSET, Frame.BYTE_ORDER) != Frame.crc32c(message, 0, messageLength))
        {
            throw new IOException("frame CRC mismatch from broker");
        }
        return message;
    }

    private static void readFully(final InputStream in, final byte[] buffer, final int length) throws IOException
    {
        int at = 0;
        while (at < length)
        {
            final int read = in.read(buffer, at, length - at);
            if (read < 0)
            {
                throw new EOFException("broker closed the connection");
            }
            at += read;
        }
    }
}
