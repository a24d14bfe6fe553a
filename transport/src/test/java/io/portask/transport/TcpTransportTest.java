package io.portask.transport;

import io.portask.core.ring.RingMessages;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.Frame;
import io.portask.protocol.sbe.ErrorResponseDecoder;
import io.portask.protocol.sbe.HealthRequestEncoder;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import io.portask.protocol.sbe.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transport alone, on a real socket: what reaches the inbound ring and what goes back on the wire.
 */
class TcpTransportTest
{
    private final OneToOneRingBuffer inbound = ring();
    private final OneToOneRingBuffer outbound = ring();
    private final CountersManager counters = new CountersManager(
        new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)), new UnsafeBuffer(ByteBuffer.allocateDirect(8192)));
    private TcpTransport transport;

    private static OneToOneRingBuffer ring()
    {
        return new OneToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect((16 << 20) + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    private AtomicCounter counter(final String label)
    {
        return counters.newCounter(label);
    }

    @BeforeEach
    void start()
    {
        transport = TcpTransport.start(new TransportContext()
            .port(0)
            .inboundRing(inbound)
            .outboundRing(outbound)
            .errorHandler(Throwable::printStackTrace)
            .bytesIn(counter("in"))
            .bytesOut(counter("out"))
            .inboundBackPressure(counter("bp"))
            .framesRejected(counter("rejected")));
    }

    @AfterEach
    void stop()
    {
        transport.close();
    }

    static byte[] healthFrame(final long correlationId)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final int length = new HealthRequestEncoder()
            .wrapAndApplyHeader(buffer, Frame.HEADER_LENGTH, new MessageHeaderEncoder())
            .correlationId(correlationId).encodedLength() + MessageHeaderEncoder.ENCODED_LENGTH;
        final byte[] frame = new byte[Frame.wrap(buffer, 0, length)];
        buffer.getBytes(0, frame);
        return frame;
    }

    private List<long[]> awaitInbound(final int count)
    {
        final List<long[]> messages = new ArrayList<>();
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (messages.size() < count && System.nanoTime() < deadline)
        {
            inbound.read((type, buffer, index, length) ->
            {
                final long correlationId = RingMessages.REQUEST == type ?
                    buffer.getLong(index + RingMessages.MESSAGE_OFFSET + MessageHeaderDecoder.ENCODED_LENGTH,
                    Frame.BYTE_ORDER) : -1;
                messages.add(new long[]{ type, buffer.getLong(index), correlationId, length });
            });
            Thread.onSpinWait();
        }
        assertEquals(count, messages.size());
        return messages;
    }

    @Test
    void shouldReassembleFramesSplitAndCoalescedOnTheWire() throws Exception
    {
        try (Socket socket = new Socket("127.0.0.1", transport.port()))
        {
            socket.setTcpNoDelay(true);
            final OutputStream out = socket.getOutputStream();
            for (final byte b : healthFrame(1))
            {
                out.write(b);
                out.flush();
            }
            final byte[] two = healthFrame(2);
            final byte[] three = healthFrame(3);
            final byte[] both = new byte[two.length + three.length];
            System.arraycopy(two, 0, both, 0, two.length);
            System.arraycopy(three, 0, both, two.length, three.length);
            out.write(both);
            out.flush();

            final List<long[]> messages = awaitInbound(4);
            assertEquals(RingMessages.CONNECTION_OPENED, messages.get(0)[0]);
            final long connectionId = messages.get(0)[1];
            for (int i = 1; i <= 3; i++)
            {
                assertEquals(RingMessages.REQUEST, messages.get(i)[0]);
                assertEquals(connectionId, messages.get(i)[1]);
                assertEquals(i, messages.get(i)[2]);
                assertEquals(RingMessages.MESSAGE_OFFSET + two.length - Frame.HEADER_LENGTH, messages.get(i)[3]);
            }
        }
        assertEquals(RingMessages.CONNECTION_CLOSED, awaitInbound(1).get(0)[0]);
    }

    @Test
    void shouldFrameResponsesWithLengthAndCrc() throws Exception
    {
        try (Socket socket = new Socket("127.0.0.1", transport.port()))
        {
            final long connectionId = awaitInbound(1).get(0)[1];
            final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
            message.putLong(0, connectionId);
            message.putLong(RingMessages.MESSAGE_OFFSET, 0x1122334455667788L);
            assertTrue(outbound.write(RingMessages.RESPONSE, message, 0, RingMessages.MESSAGE_OFFSET + 8));
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            final byte[] frame = new byte[16];
            in.readFully(frame);
            final UnsafeBuffer received = new UnsafeBuffer(frame);
            assertEquals(12, received.getInt(0, Frame.BYTE_ORDER));
            assertTrue(Frame.isCrcValid(received, 0, 8));
            assertEquals(0x1122334455667788L, received.getLong(Frame.HEADER_LENGTH, Frame.BYTE_ORDER));
        }
    }

    @Test
    void shouldRejectOversizeLengthAndClose() throws IOException
    {
        try (Socket socket = new Socket("127.0.0.1", transport.port()))
        {
            final UnsafeBuffer length = new UnsafeBuffer(new byte[4]);
            length.putInt(0, -1, Frame.BYTE_ORDER);
            socket.getOutputStream().write(length.byteArray());
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            final byte[] header = new byte[Frame.HEADER_LENGTH];
            in.readFully(header);
            final byte[] body = new byte[Frame.messageLength(new UnsafeBuffer(header).getInt(0, Frame.BYTE_ORDER))];
            in.readFully(body);
            final UnsafeBuffer message = new UnsafeBuffer(body);
            final ErrorResponseDecoder error = new ErrorResponseDecoder()
                .wrapAndApplyHeader(message, 0, new MessageHeaderDecoder().wrap(message, 0));
            assertEquals(ErrorCode.MESSAGE_TOO_LARGE.code(), error.errorCode());
            assertEquals(-1, in.read());
        }
        assertEquals(1, counters.getCounterValue(3));
    }
}
