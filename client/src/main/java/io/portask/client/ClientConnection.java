package io.portask.client;

import io.portask.protocol.ErrorCode;
import io.portask.protocol.Frame;
import io.portask.protocol.buffer.SafeBuffer;
import io.portask.protocol.link.Reply;
import io.portask.protocol.link.RequestEncoder;
import io.portask.protocol.link.ResponseCorrelator;
import io.portask.protocol.sbe.MessageHeaderDecoder;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One pipelined TCP connection to a broker: many requests in flight, matched to responses by correlation id
 * ({@link ResponseCorrelator}, shared with the gateway's broker link). A reader thread checks each frame's CRC
 * and completes the request's future, or hands a push to the {@link PushListener}. When the connection breaks,
 * every request in flight fails with NETWORK_ERROR (retriable) and the next request reconnects.
 * <p>
 * Threading: {@link #send} is safe from any thread (writes are serialised); futures complete on the reader
 * thread, so callbacks must not block.
 */
final class ClientConnection implements AutoCloseable
{
    /** Receives pushes and connection loss, on the reader thread. */
    public interface PushListener
    {
        /**
         * @param push the PushRecords message.
         */
        void onPush(Reply push);

        /**
         * An error answering no request: a subscription closed by the broker (correlation id is -subscriptionId).
         *
         * @param correlationId of the error.
         * @param error         what the broker said.
         */
        void onUnmatchedError(long correlationId, PortaskException error);

        /**
         * The connection broke; subscriptions must be made again.
         */
        void onDisconnected();
    }

    private static final int MAX_RECONNECT_ATTEMPTS = 3;

    private final String host;
    private final int port;
    private final Duration requestTimeout;
    private final int maxFrameLength;
    private final PushListener listener;
    private final Object writeLock = new Object();
    private final Object channelLock = new Object();
    private final ResponseCorrelator correlator;
    private final SafeBuffer writeBuffer;
    private final ByteBuffer writeByteBuffer;
    private volatile SocketChannel channel;
    private volatile boolean closed;

    /**
     * @param host           broker host.
     * @param port           broker port.
     * @param requestTimeout how long a request may wait for its response.
     * @param maxFrameLength largest frame the broker accepts.
     * @param listener       receives pushes, or null.
     */
    ClientConnection(
        final String host,
        final int port,
        final Duration requestTimeout,
        final int maxFrameLength,
        final PushListener listener)
    {
        this.host = host;
        this.port = port;
        this.requestTimeout = requestTimeout;
        this.maxFrameLength = maxFrameLength;
        this.listener = listener;
        this.correlator = new ResponseCorrelator(requestTimeout,
            (code, message) -> new PortaskException(ErrorCode.get(code), message), new ResponseCorrelator.Unmatched()
            {
                public void onPush(final Reply push)
                {
                    if (null != listener)
                    {
                        listener.onPush(push);
                    }
                }

                public void onUnmatched(final long correlationId, final Reply reply, final RuntimeException error)
                {
                    if (null != error && null != listener)
                    {
                        listener.onUnmatchedError(correlationId, (PortaskException)error);
                    }
                }
            });
        final byte[] writeBytes = new byte[maxFrameLength + Frame.HEADER_LENGTH];
        this.writeByteBuffer = ByteBuffer.wrap(writeBytes);
        this.writeBuffer = new SafeBuffer(writeBytes);
    }

    /**
     * Connect now rather than on the first request.
     *
     * @throws PortaskException NETWORK_ERROR when the broker cannot be reached.
     */
    public void connect()
    {
        synchronized (writeLock)
        {
            ensureConnected();
        }
    }

    /**
     * @return the next correlation id; positive, unique on this connection.
     */
    public long nextCorrelationId()
    {
        return correlator.nextCorrelationId();
    }

    /**
     * Send a request that gets a response.
     *
     * @param encoder writes the request.
     * @return completes with the response, or exceptionally with a {@link PortaskException}.
     */
    public CompletableFuture<Reply> send(final RequestEncoder encoder)
    {
        return correlator.send(encoder, this::write)
            .exceptionallyCompose(error -> CompletableFuture.failedFuture(PortaskException.from(error)));
    }

    /**
     * Send a request the broker does not answer (a produce with ack NONE, a credit grant).
     *
     * @param encoder writes the request.
     */
    public void sendOneWay(final RequestEncoder encoder)
    {
        write(encoder, nextCorrelationId());
    }

    private void write(final RequestEncoder encoder, final long correlationId)
    {
        synchronized (writeLock)
        {
            final SocketChannel socket = ensureConnected();
            final int length = encoder.encode(writeBuffer, Frame.HEADER_LENGTH, correlationId);
            if (length + Frame.LENGTH_FIELD_EXTRA > maxFrameLength)
            {
                throw new PortaskException(ErrorCode.MESSAGE_TOO_LARGE,
                    "request of " + length + " bytes exceeds the maximum frame " + maxFrameLength);
            }
            final int frameLength = Frame.wrap(writeBuffer, 0, length);
            writeByteBuffer.limit(frameLength).position(0);
            try
            {
                while (writeByteBuffer.hasRemaining())
                {
                    socket.write(writeByteBuffer);
                }
            }
            catch (final IOException ex)
            {
                disconnect(socket, ex);
                throw new PortaskException(ErrorCode.NETWORK_ERROR, "write to " + host + ":" + port + " failed", ex);
            }
            finally
            {
                writeByteBuffer.clear();
            }
        }
    }

    private SocketChannel ensureConnected()
    {
        if (closed)
        {
            throw new PortaskException(ErrorCode.NETWORK_ERROR, "connection closed");
        }
        SocketChannel socket = channel;
        if (null != socket && socket.isConnected())
        {
            return socket;
        }
        IOException last = null;
        for (int attempt = 0; attempt < MAX_RECONNECT_ATTEMPTS; attempt++)
        {
            try
            {
                socket = SocketChannel.open();
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
                socket.socket().connect(new InetSocketAddress(host, port), (int)Math.min(5000,
                    requestTimeout.toMillis()));
                channel = socket;
                final SocketChannel reading = socket;
                final Thread reader = new Thread(() -> readLoop(reading), "portask-client-reader");
                reader.setDaemon(true);
                reader.start();
                return socket;
            }
            catch (final IOException ex)
            {
                last = ex;
                closeQuietly(socket);
                sleep(50L << attempt);
            }
        }
        throw new PortaskException(ErrorCode.NETWORK_ERROR, "cannot connect to " + host + ":" + port, last);
    }

    private void readLoop(final SocketChannel socket)
    {
        final ByteBuffer header = ByteBuffer.allocateDirect(Frame.HEADER_LENGTH).order(Frame.BYTE_ORDER);
        try
        {
            while (!closed)
            {
                header.clear();
                readFully(socket, header);
                final int lengthField = header.getInt(Frame.LENGTH_OFFSET);
                final int messageLength = Frame.messageLength(lengthField);
                if (lengthField > maxFrameLength + 1024 || messageLength < MessageHeaderDecoder.ENCODED_LENGTH)
                {
                    throw new IOException("bad frame length " + lengthField + " from broker");
                }
                final byte[] body = new byte[messageLength];
                readFully(socket, ByteBuffer.wrap(body));
                final SafeBuffer message = new SafeBuffer(body);
                if (header.getInt(Frame.CRC_OFFSET) != Frame.crc32c(message, 0, messageLength))
                {
                    throw new IOException("frame CRC mismatch from broker");
                }
                correlator.onMessage(message);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            disconnect(socket, ex);
        }
    }

    private void disconnect(final SocketChannel socket, final Exception cause)
    {
        synchronized (channelLock)
        {
            if (channel != socket)
            {
                return;
            }
            channel = null;
        }
        closeQuietly(socket);
        final PortaskException error = new PortaskException(ErrorCode.NETWORK_ERROR,
            "connection to " + host + ":" + port + " lost: " + cause.getMessage(), cause);
        correlator.failAll(error);
        if (null != listener && !closed)
        {
            listener.onDisconnected();
        }
    }

    private static void readFully(final SocketChannel socket, final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            if (socket.read(buffer) < 0)
            {
                throw new EOFException("broker closed the connection");
            }
        }
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(final SocketChannel socket)
    {
        if (null != socket)
        {
            try
            {
                socket.close();
            }
            catch (final IOException ignore)
            {
                // closing anyway
            }
        }
    }

    /**
     * @return true while a socket is open.
     */
    public boolean isConnected()
    {
        final SocketChannel socket = channel;
        return null != socket && socket.isConnected();
    }

    /**
     * Close the socket; requests in flight fail with NETWORK_ERROR.
     */
    public void close()
    {
        closed = true;
        final SocketChannel socket = channel;
        if (null != socket)
        {
            disconnect(socket, new IOException("closed by client"));
        }
    }
}
