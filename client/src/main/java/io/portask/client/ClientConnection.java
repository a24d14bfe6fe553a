package io.portask.client;

import io.portask.protocol.ErrorCode;
import io.portask.protocol.Frame;
import io.portask.protocol.buffer.SafeBuffer;
import io.portask.protocol.link.Reply;
import io.portask.protocol.link.RequestEncoder;
import io.portask.protocol.link.ResponseCorrelator;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One pipelined TCP connection to a broker: many requests in flight, matched to responses by correlation id
 * ({@link ResponseCorrelator}, shared with the gateway's broker link). A reader thread checks each frame's CRC
 * and completes the request's future, or hands a push to the {@link PushListener}. When the connection breaks,
 * every request in flight fails with NETWORK_ERROR (retriable) and the next request reconnects: given a cluster's
 * brokers, to the first that answers, or to the leader a NOT_LEADER answer named ({@link BrokerAddresses}).
 * <p>
 * With a spinning {@link ClientIdle} (plaintext only) the socket is non-blocking and reading it is a lease: the
 * reader thread reads only while no caller holds it, and a caller waiting in {@link #await} takes it and reads
 * the answers itself, so its answer reaches it with no thread wake-up.
 * <p>
 * Threading: {@link #send} is safe from any thread (writes are serialised); futures complete on the reader
 * thread (or on a caller's thread reading in {@link #await}), so callbacks must not block.
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

    private final BrokerAddresses brokers;
    private final Duration requestTimeout;
    private final int maxFrameLength;
    private final SSLSocketFactory tls;
    private final ClientOptions options;
    private final PushListener listener;
    private final ClientIdle idle;
    private final boolean spinning;
    private final NonBlockingFrames frames;
    private final ByteBuffer outbound;
    private final Object writeLock = new Object();
    private final Object channelLock = new Object();
    private final ResponseCorrelator correlator;
    private final ResponseCorrelator.Writer writer = this::write;
    private final SafeBuffer writeBuffer;
    private final byte[] writeBytes;
    private volatile Socket channel;
    private volatile boolean closed;

    /**
     * @param options  broker address, timeouts, TLS.
     * @param listener receives pushes, or null.
     */
    ClientConnection(final ClientOptions options, final PushListener listener)
    {
        this.brokers = new BrokerAddresses(options.addresses());
        this.requestTimeout = options.requestTimeout();
        this.maxFrameLength = options.maxFrameLength();
        this.tls = null == options.tls() ? null : options.tls().context().getSocketFactory();
        this.options = options;
        this.listener = listener;
        this.idle = options.idle();
        this.spinning = ClientIdle.BLOCKING != idle && null == tls;
        this.correlator = new ResponseCorrelator(requestTimeout,
            (code, message) ->
            {
                if (ErrorCode.NOT_LEADER.code() == code)
                {
                    brokers.onNotLeader(message);
                }
                return new PortaskException(ErrorCode.get(code), message);
            }, new ResponseCorrelator.Unmatched()
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
        this.writeBytes = new byte[maxFrameLength + Frame.HEADER_LENGTH];
        this.writeBuffer = new SafeBuffer(writeBytes);
        this.outbound = ByteBuffer.wrap(writeBytes);
        this.frames = spinning ? new NonBlockingFrames(maxFrameLength, correlator) : null;
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
        followLeader();
        return correlator.send(encoder, writer)
            .exceptionallyCompose(error -> CompletableFuture.failedFuture(PortaskException.from(error)));
    }

    /**
     * Send a request whose answer goes to a handler, in place on the thread that reads it (nothing allocated).
     *
     * @param encoder writes the request.
     * @param handler told of the answer, or of the failure (turn it into a {@link PortaskException} with
     *                {@link PortaskException#from}).
     */
    void send(final RequestEncoder encoder, final ResponseCorrelator.ReplyHandler handler)
    {
        followLeader();
        correlator.send(encoder, writer, handler);
    }

    /**
     * Send a request the broker does not answer (a produce with ack NONE, a credit grant).
     *
     * @param encoder writes the request.
     */
    public void sendOneWay(final RequestEncoder encoder)
    {
        followLeader();
        write(encoder, nextCorrelationId());
    }

    /**
     * After a NOT_LEADER answer named the leader: close this connection (what is still in flight on it fails
     * with NETWORK_ERROR, retriable) so that the request about to be sent connects to the leader.
     */
    private void followLeader()
    {
        if (brokers.hasRedirect())
        {
            synchronized (writeLock)
            {
                final String leader = brokers.takeRedirect();
                if (null != leader)
                {
                    final Socket socket = channel;
                    if (null != socket)
                    {
                        disconnect(socket, new IOException("moving to the cluster's leader " + leader));
                    }
                    brokers.select(leader);
                }
            }
        }
    }

    private void write(final RequestEncoder encoder, final long correlationId)
    {
        synchronized (writeLock)
        {
            final Socket socket = ensureConnected();
            try
            {
                writeFrame(socket, encoder, correlationId);
            }
            catch (final IOException ex)
            {
                disconnect(socket, ex);
                throw new PortaskException(ErrorCode.NETWORK_ERROR, "write to " + brokers + " failed", ex);
            }
        }
    }

    private void writeFrame(final Socket socket, final RequestEncoder encoder, final long correlationId)
        throws IOException
    {
        final int length = encoder.encode(writeBuffer, Frame.HEADER_LENGTH, correlationId);
        if (length + Frame.LENGTH_FIELD_EXTRA > maxFrameLength)
        {
            throw new PortaskException(ErrorCode.MESSAGE_TOO_LARGE,
                "request of " + length + " bytes exceeds the maximum frame " + maxFrameLength);
        }
        final int frameLength = Frame.wrap(writeBuffer, 0, length);
        final SocketChannel nonBlocking = ClientSockets.nonBlocking(socket);
        if (null == nonBlocking)
        {
            socket.getOutputStream().write(writeBytes, 0, frameLength);
            return;
        }
        outbound.clear().limit(frameLength);
        while (outbound.hasRemaining())
        {
            if (0 == nonBlocking.write(outbound))
            {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Wait for an answer: a spinning client reads the socket on this thread meanwhile (when the reader thread is
     * not), so the answer needs no hand-off; a blocking one parks. Throws the {@link PortaskException} it failed with.
     */
    <T> T await(final CompletableFuture<T> future)
    {
        if (spinning)
        {
            int idleTries = 0;
            while (!future.isDone())
            {
                idleTries = pollOnce() > 0 ? 0 : idleTries + 1;
                idle.idle(idleTries);
            }
        }
        try
        {
            return future.join();
        }
        catch (final CompletionException | java.util.concurrent.CancellationException ex)
        {
            throw PortaskException.from(ex);
        }
    }

    /**
     * A spinning client's waiter reads the socket once on its own thread (when nobody else is).
     *
     * @return frames read; 0 when blocking or nothing came.
     */
    int pollOnce()
    {
        final Socket socket = channel;
        return spinning && null != socket ? pollAsCaller(socket) : 0;
    }

    /**
     * @return how waiters wait, when {@link #pollOnce} reads: null for a blocking client.
     */
    ClientIdle spinningIdle()
    {
        return spinning ? idle : null;
    }

    private int pollAsCaller(final Socket socket)
    {
        final SocketChannel nonBlocking = ClientSockets.nonBlocking(socket);
        if (null == nonBlocking || !frames.tryLease())
        {
            return 0;
        }
        try
        {
            return frames.poll(nonBlocking);
        }
        catch (final IOException | RuntimeException ex)
        {
            disconnect(socket, ex);
            return 0;
        }
        finally
        {
            frames.release();
        }
    }

    private Socket ensureConnected()
    {
        if (closed)
        {
            throw new PortaskException(ErrorCode.NETWORK_ERROR, "connection closed");
        }
        Socket socket = channel;
        if (null != socket && !socket.isClosed())
        {
            return socket;
        }
        IOException last = null;
        for (int attempt = 0; attempt < MAX_RECONNECT_ATTEMPTS * brokers.size(); attempt++)
        {
            socket = null;
            try
            {
                socket = open();
                channel = socket;
                final Socket reading = socket;
                options.newThread(() -> readLoop(reading), "portask-client-reader").start();
                return socket;
            }
            catch (final SSLException ex)
            {
                ClientSockets.closeQuietly(socket);
                throw new PortaskException(ErrorCode.NETWORK_ERROR, "TLS to " + brokers + " failed: " +
                    ex.getMessage(), ex);
            }
            catch (final IOException ex)
            {
                last = ex;
                ClientSockets.closeQuietly(socket);
                if (brokers.next())
                {
                    ClientSockets.sleep(50L << (attempt / brokers.size()));
                }
            }
        }
        throw new PortaskException(ErrorCode.NETWORK_ERROR, "cannot connect to " + brokers.all(), last);
    }

    /**
     * A connected socket, TLS-wrapped (the handshake done, the broker's name verified) when TLS is set.
     */
    private Socket open() throws IOException
    {
        final Socket plain = spinning ? SocketChannel.open().socket() : new Socket();
        plain.setTcpNoDelay(true);
        final String host = brokers.host();
        final int port = brokers.port();
        plain.connect(new InetSocketAddress(host, port), (int)Math.min(5000, requestTimeout.toMillis()));
        if (null == tls)
        {
            final Socket socket = authenticated(plain);
            if (spinning)
            {
                frames.reset();
                socket.getChannel().configureBlocking(false);
            }
            return socket;
        }
        final SSLSocket secure = (SSLSocket)tls.createSocket(plain, host, port, true);
        final SSLParameters parameters = secure.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        parameters.setProtocols(ClientTls.PROTOCOLS);
        secure.setSSLParameters(parameters);
        secure.startHandshake();
        return authenticated(secure);
    }

    /**
     * Authenticate a new socket, before its reader starts: each step written and its answer read here. A socket
     * that fails is closed.
     */
    private Socket authenticated(final Socket socket) throws IOException
    {
        if (null == options.credentials())
        {
            return socket;
        }
        final BlockingFrames frames = new BlockingFrames(maxFrameLength);
        try
        {
            ClientAuthentication.authenticate(options.credentials(), request ->
            {
                writeFrame(socket, request, correlator.nextCorrelationId());
                return frames.read(socket.getInputStream());
            });
            return socket;
        }
        catch (final IOException | RuntimeException ex)
        {
            ClientSockets.closeQuietly(socket);
            throw ex;
        }
    }

    private void readLoop(final Socket socket)
    {
        final SocketChannel nonBlocking = ClientSockets.nonBlocking(socket);
        if (null != nonBlocking)
        {
            spinningReadLoop(socket);
            return;
        }
        final BlockingFrames frames = new BlockingFrames(maxFrameLength);
        try
        {
            final InputStream in = socket.getInputStream();
            while (!closed)
            {
                final SafeBuffer message = frames.read(in);
                correlator.onMessage(message, message.capacity()); // in place: the correlator copies what it keeps
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            disconnect(socket, ex);
        }
    }

    /**
     * A spinning client's reader: reads only while no caller holds the read lease (pushes, and answers nobody
     * waits for in {@link #await}). It backs off whatever the client's idle strategy: waiters spin, this thread
     * must not take a second core from them and the broker (on 2 cores a spinning reader made sendSync 18x slower).
     */
    private void spinningReadLoop(final Socket socket)
    {
        int idleTries = 0;
        while (!closed && channel == socket)
        {
            idleTries = pollAsCaller(socket) > 0 ? 0 : idleTries + 1;
            ClientIdle.BACKOFF.idle(idleTries);
        }
    }

    private void disconnect(final Socket socket, final Exception cause)
    {
        synchronized (channelLock)
        {
            if (channel != socket)
            {
                return;
            }
            channel = null;
        }
        ClientSockets.closeQuietly(socket);
        final PortaskException error = new PortaskException(ErrorCode.NETWORK_ERROR,
            "connection to " + brokers + " lost: " + cause.getMessage(), cause);
        correlator.failAll(error);
        if (null != listener && !closed)
        {
            listener.onDisconnected();
        }
    }

    /**
     * @return true while a socket is open.
     */
    public boolean isConnected()
    {
        final Socket socket = channel;
        return null != socket && !socket.isClosed();
    }

    /**
     * Close the socket; requests in flight fail with NETWORK_ERROR.
     */
    public void close()
    {
        closed = true;
        final Socket socket = channel;
        if (null != socket)
        {
            disconnect(socket, new IOException("closed by client"));
        }
    }
}
