package io.portask.transport;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import com.code_intelligence.jazzer.mutation.annotation.WithLength;
import io.portask.core.ring.RingMessages;
import io.portask.protocol.Frame;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.CountersManager;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Fuzz target for the transport's frame reader, on a real socket: any bytes sent on a fresh connection, which is
 * then closed. The oracle is the framing rule of docs/protocol.md walked over the same bytes: frames are taken in
 * order while the length field is within the maximum and long enough for a message, the whole frame arrived and
 * its CRC32C matches; the first that is not ends the connection. The transport must pass on exactly those
 * messages, byte for byte, report the connection closed, and never call its error handler.
 */
class FrameReaderFuzzTest
{
    private static final int MAX_FRAME = 4096;
    private static final int MIN_MESSAGE_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH + 8;
    private static final ConcurrentLinkedQueue<Throwable> ERRORS = new ConcurrentLinkedQueue<>();
    private static final OneToOneRingBuffer INBOUND = ring();
    private static final TcpTransport TRANSPORT = start();

    @FuzzTest(maxDuration = "60s")
    void anyBytes(final byte @NotNull @WithLength(max = 3 * MAX_FRAME) [] bytes) throws IOException
    {
        // the test's own connection to the transport under test: Jazzer 0.26's SSRF detector flags any socket
        final SilentCloseable loopback = BugDetectors.allowNetworkConnections(
            (host, port) -> port == TRANSPORT.port() && ("127.0.0.1".equals(host) || "localhost".equals(host)));
        try (Socket socket = new Socket("127.0.0.1", TRANSPORT.port()))
        {
            socket.getOutputStream().write(bytes);
        }
        finally
        {
            loopback.close();
        }
        final List<byte[]> passedOn = awaitClosedConnection();
        final List<byte[]> expected = framesByTheRule(bytes);
        if (passedOn.size() != expected.size())
        {
            throw new AssertionError("passed on " + passedOn.size() + " message(s), the rule takes " +
                expected.size());
        }
        for (int i = 0; i < expected.size(); i++)
        {
            if (!Arrays.equals(expected.get(i), passedOn.get(i)))
            {
                throw new AssertionError("message " + i + " differs from the frame it came in");
            }
        }
        if (!ERRORS.isEmpty())
        {
            throw new AssertionError("the transport's error handler was called", ERRORS.poll());
        }
    }

    private static List<byte[]> framesByTheRule(final byte[] bytes)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final List<byte[]> frames = new ArrayList<>();
        int position = 0;
        while (bytes.length - position >= 4)
        {
            final int lengthField = buffer.getInt(position, Frame.BYTE_ORDER);
            if (lengthField < 0 || lengthField > MAX_FRAME)
            {
                break;
            }
            final int messageLength = Frame.messageLength(lengthField);
            if (messageLength < MIN_MESSAGE_LENGTH || bytes.length - position < Frame.HEADER_LENGTH + messageLength ||
                !Frame.isCrcValid(buffer, position, messageLength))
            {
                break;
            }
            frames.add(Arrays.copyOfRange(bytes, position + Frame.HEADER_LENGTH,
                position + Frame.HEADER_LENGTH + messageLength));
            position += Frame.HEADER_LENGTH + messageLength;
        }
        return frames;
    }

    private static List<byte[]> awaitClosedConnection()
    {
        final List<byte[]> messages = new ArrayList<>();
        final boolean[] closed = {false};
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!closed[0])
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("the connection was not reported closed within 10 s");
            }
            INBOUND.read((type, buffer, index, length) ->
            {
                if (RingMessages.REQUEST == type)
                {
                    final byte[] message = new byte[length - RingMessages.MESSAGE_OFFSET];
                    buffer.getBytes(index + RingMessages.MESSAGE_OFFSET, message);
                    messages.add(message);
                }
                else if (RingMessages.CONNECTION_CLOSED == type)
                {
                    closed[0] = true;
                }
            });
            Thread.onSpinWait();
        }
        return messages;
    }

    private static OneToOneRingBuffer ring()
    {
        return new OneToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect((16 << 20) + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    private static TcpTransport start()
    {
        final CountersManager counters = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)), new UnsafeBuffer(ByteBuffer.allocateDirect(8192)));
        return TcpTransport.start(new TransportContext()
            .port(0)
            .maxFrameLength(MAX_FRAME)
            .inboundRing(INBOUND)
            .outboundRing(ring())
            .errorHandler(ERRORS::add)
            .bytesIn(counters.newCounter("in"))
            .bytesOut(counters.newCounter("out"))
            .inboundBackPressure(counters.newCounter("bp"))
            .framesRejected(counters.newCounter("rejected")));
    }
}
