package io.portask.transport;

import io.portask.protocol.Frame;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.concurrent.ThreadFactory;

/**
 * Settings of the TCP transport. Fluent setters, validated by {@link #conclude()}; fill on one thread before
 * {@link TcpTransport#start}.
 */
public final class TransportContext
{
    private String bindAddress = "127.0.0.1";
    private int port = 7070;
    private int maxFrameLength = Frame.DEFAULT_MAX_FRAME_LENGTH;
    private RingBuffer inboundRing;
    private RingBuffer outboundRing;
    private IdleStrategy idleStrategy = new BackoffIdleStrategy();
    private IdleSleep idleSleep;
    private Agent coLocatedAgent;
    private ThreadFactory threadFactory;
    private ErrorHandler errorHandler;
    private AtomicCounter bytesIn;
    private AtomicCounter bytesOut;
    private AtomicCounter inboundBackPressure;
    private AtomicCounter framesRejected;
    private boolean preferEpoll = true;
    private int writeBufferHighWaterMark = 4 * 1024 * 1024;
    private long writeTimeoutNs = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    private AtomicCounter slowConnectionsClosed;
    private TlsSettings tls;
    private AtomicCounter tlsHandshakesFailed;
    private AuthSettings auth;
    private AtomicCounter[] authFailures;

    /**
     * Check every required setting.
     *
     * @return this for a fluent API.
     */
    public TransportContext conclude()
    {
        if (null == inboundRing || null == outboundRing || null == errorHandler)
        {
            throw new IllegalStateException("TransportContext needs inboundRing, outboundRing and errorHandler");
        }
        if (null == bytesIn || null == bytesOut || null == inboundBackPressure || null == framesRejected)
        {
            throw new IllegalStateException("TransportContext needs its counters");
        }
        if (port < -1 || port > 65535)
        {
            throw new IllegalStateException("port must be in [0, 65535] or -1 (no plaintext listener), got " + port);
        }
        if (-1 == port && null == tls)
        {
            throw new IllegalStateException("no listener: the plaintext port is off and TLS is not configured");
        }
        if (null == threadFactory)
        {
            threadFactory = runnable -> new Thread(runnable, "portask-transport");
        }
        return this;
    }

    /** @param settings the TLS listener's, or null for none. @return this. */
    public TransportContext tls(final TlsSettings settings)
    {
        this.tls = settings;
        return this;
    }

    /** @param counter TLS handshakes that failed (an unknown CA, a missing client certificate). @return this. */
    public TransportContext tlsHandshakesFailed(final AtomicCounter counter)
    {
        this.tlsHandshakesFailed = counter;
        return this;
    }

    /**
     * @param settings how connections authenticate, or null for no authentication at all.
     * @param failures one counter per {@code Authenticator.Failure}, in order: SCRAM, TOKEN, UNAUTHENTICATED_REQUEST,
     *                 THROTTLED.
     * @return this.
     */
    public TransportContext auth(final AuthSettings settings, final AtomicCounter... failures)
    {
        this.auth = settings;
        this.authFailures = failures;
        return this;
    }

    /** @return how connections authenticate, or null. */
    public AuthSettings auth()
    {
        return auth;
    }

    AtomicCounter[] authFailures()
    {
        return authFailures;
    }

    /** @return TLS handshakes that failed, or null. */
    public AtomicCounter tlsHandshakesFailed()
    {
        return tlsHandshakesFailed;
    }

    /** @return the TLS listener's settings, or null. */
    public TlsSettings tls()
    {
        return tls;
    }

    /** @param address to listen on. @return this. */
    public TransportContext bindAddress(final String address)
    {
        this.bindAddress = address;
        return this;
    }

    /** @return address to listen on. */
    public String bindAddress()
    {
        return bindAddress;
    }

    /** @param port to listen on; 0 picks a free one. @return this. */
    public TransportContext port(final int port)
    {
        this.port = port;
        return this;
    }

    /** @return port to listen on. */
    public int port()
    {
        return port;
    }

    /** @param length largest frame length field accepted. @return this. */
    public TransportContext maxFrameLength(final int length)
    {
        this.maxFrameLength = length;
        return this;
    }

    /** @return largest frame length field accepted. */
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    /** @param ring transport-to-core ring. @return this. */
    public TransportContext inboundRing(final RingBuffer ring)
    {
        this.inboundRing = ring;
        return this;
    }

    /** @return transport-to-core ring. */
    public RingBuffer inboundRing()
    {
        return inboundRing;
    }

    /** @param ring core-to-transport ring. @return this. */
    public TransportContext outboundRing(final RingBuffer ring)
    {
        this.outboundRing = ring;
        return this;
    }

    /** @return core-to-transport ring. */
    public RingBuffer outboundRing()
    {
        return outboundRing;
    }

    /** @param strategy how the transport thread idles between polls. @return this. */
    public TransportContext idleStrategy(final IdleStrategy strategy)
    {
        this.idleStrategy = strategy;
        return this;
    }

    /** @return how the transport thread idles. */
    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /** @param sleep how the transport thread sleeps in epoll once idle, or null to idle by its strategy alone.
     * @return this. */
    public TransportContext idleSleep(final IdleSleep sleep)
    {
        this.idleSleep = sleep;
        return this;
    }

    /** @return how the transport thread sleeps once idle, or null. */
    public IdleSleep idleSleep()
    {
        return idleSleep;
    }

    /**
     * @param agent run on the transport thread too (the core agent in SHARED mode), or null.
     * @return this.
     */
    public TransportContext coLocatedAgent(final Agent agent)
    {
        this.coLocatedAgent = agent;
        return this;
    }

    /** @return the agent run on the transport thread too, or null. */
    public Agent coLocatedAgent()
    {
        return coLocatedAgent;
    }

    /** @param factory makes the transport thread (pinning it, in DEDICATED mode). @return this. */
    public TransportContext threadFactory(final ThreadFactory factory)
    {
        this.threadFactory = factory;
        return this;
    }

    /** @return makes the transport thread. */
    public ThreadFactory threadFactory()
    {
        return threadFactory;
    }

    /** @param handler records errors once each. @return this. */
    public TransportContext errorHandler(final ErrorHandler handler)
    {
        this.errorHandler = handler;
        return this;
    }

    /** @return records errors. */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /** @param counter bytes read from sockets. @return this. */
    public TransportContext bytesIn(final AtomicCounter counter)
    {
        this.bytesIn = counter;
        return this;
    }

    /** @return bytes read from sockets. */
    public AtomicCounter bytesIn()
    {
        return bytesIn;
    }

    /** @param counter bytes written to sockets. @return this. */
    public TransportContext bytesOut(final AtomicCounter counter)
    {
        this.bytesOut = counter;
        return this;
    }

    /** @return bytes written to sockets. */
    public AtomicCounter bytesOut()
    {
        return bytesOut;
    }

    /** @param counter times the inbound ring was full. @return this. */
    public TransportContext inboundBackPressure(final AtomicCounter counter)
    {
        this.inboundBackPressure = counter;
        return this;
    }

    /** @return times the inbound ring was full. */
    public AtomicCounter inboundBackPressure()
    {
        return inboundBackPressure;
    }

    /** @param counter frames refused for a bad CRC, length or size. @return this. */
    public TransportContext framesRejected(final AtomicCounter counter)
    {
        this.framesRejected = counter;
        return this;
    }

    /** @return frames refused. */
    public AtomicCounter framesRejected()
    {
        return framesRejected;
    }

    /** @param prefer use native epoll when the platform has it (else NIO). @return this. */
    public TransportContext preferEpoll(final boolean prefer)
    {
        this.preferEpoll = prefer;
        return this;
    }

    /** @return whether native epoll is preferred. */
    public boolean preferEpoll()
    {
        return preferEpoll;
    }

    /**
     * @param ns how long a connection's unsent output may stay over its bound before the connection is closed.
     * @return this.
     */
    public TransportContext writeTimeoutNs(final long ns)
    {
        this.writeTimeoutNs = ns;
        return this;
    }

    /** @return how long output may stay over its bound before the connection is closed. */
    public long writeTimeoutNs()
    {
        return writeTimeoutNs;
    }

    /** @param counter counts connections closed for output stuck over its bound. @return this. */
    public TransportContext slowConnectionsClosed(final AtomicCounter counter)
    {
        this.slowConnectionsClosed = counter;
        return this;
    }

    /** @return counts connections closed for output stuck over its bound; null when not counted. */
    public AtomicCounter slowConnectionsClosed()
    {
        return slowConnectionsClosed;
    }

    /**
     * @param bytes unsent output per connection (the bound): past it the broker stops reading the connection and
     *              the core pauses pushes to it, until it drains below half.
     * @return this.
     */
    public TransportContext writeBufferHighWaterMark(final int bytes)
    {
        this.writeBufferHighWaterMark = bytes;
        return this;
    }

    /** @return unflushed bytes per connection past which reading pauses. */
    public int writeBufferHighWaterMark()
    {
        return writeBufferHighWaterMark;
    }
}
