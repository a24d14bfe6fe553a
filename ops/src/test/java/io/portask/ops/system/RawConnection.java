package io.portask.ops.system;

import io.portask.protocol.Frame;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import io.portask.protocol.sbe.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.function.ToIntBiFunction;

/**
 * A plain socket to the broker that writes frames byte for byte as a test wants them, well formed or not,
 * and reads framed replies: what any other-language client does.
 */
final class RawConnection implements AutoCloseable
{
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(2 * 1024 * 1024));

    RawConnection(final int port) throws IOException
    {
        socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /**
     * Encode a message with a header encoder at offset 8 and send it framed.
     *
     * @param encoder (buffer, offset) -> encoded length without header.
     * @return the frame bytes sent.
     */
    byte[] send(final ToIntBiFunction<UnsafeBuffer, MessageHeaderEncoder> encoder) throws IOException
    {
        final int length = encoder.applyAsInt(buffer, new MessageHeaderEncoder()) + MessageHeaderEncoder.ENCODED_LENGTH;
        final int frameLength = Frame.wrap(buffer, 0, length);
        final byte[] frame = new byte[frameLength];
        buffer.getBytes(0, frame);
        out.write(frame);
        out.flush();
        return frame;
    }

    void sendRaw(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    /**
     * @return the next message (header at offset 0), its CRC checked.
     */
    UnsafeBuffer receive() throws IOException
    {
        final byte[] header = new byte[Frame.HEADER_LENGTH];
        in.readFully(header);
        final UnsafeBuffer headerBuffer = new UnsafeBuffer(header);
        final int length = Frame.messageLength(headerBuffer.getInt(0, Frame.BYTE_ORDER));
        final byte[] message = new byte[length];
        in.readFully(message);
        final UnsafeBuffer result = new UnsafeBuffer(message);
        if (headerBuffer.getInt(Frame.CRC_OFFSET, Frame.BYTE_ORDER) != Frame.crc32c(result, 0, length))
        {
            throw new IOException("bad CRC from broker");
        }
        return result;
    }

    static int templateId(final UnsafeBuffer message)
    {
        return new MessageHeaderDecoder().wrap(message, 0).templateId();
    }

    /**
     * @return true when the broker closed the connection (EOF) within a second.
     */
    boolean isClosedByBroker() throws IOException
    {
        socket.setSoTimeout(1_000);
        try
        {
            return in.read() < 0;
        }
        catch (final EOFException | java.net.SocketException ex)
        {
            return true;
        }
        catch (final SocketTimeoutException ex)
        {
            return false;
        }
        finally
        {
            socket.setSoTimeout(10_000);
        }
    }

    public void close() throws IOException
    {
        socket.close();
    }
}
