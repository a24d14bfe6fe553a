package io.portask.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.CompositeAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The broker's TCP server: one Netty event loop thread (native epoll on Linux, NIO elsewhere) that accepts,
 * reads and writes every connection and runs the {@link TransportAgent}, plus the core agent when the broker
 * runs in SHARED mode, as Agrona agents driven from the loop's select strategy.
 * <p>
 * Threading: {@link #start} and {@link #close} from any one thread; the rest runs on the event loop.
 */
public final class TcpTransport implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(TcpTransport.class);
    private static final RecvByteBufAllocator RECEIVE_ALLOCATOR = new AdaptiveRecvByteBufAllocator();

    private final TransportContext ctx;
    private final TransportAgent agent;
    private final AgentInvoker invoker;
    private final EventLoopGroup group;
    private final boolean epoll;
    private Channel serverChannel;
    private Channel tlsChannel;
    private DoorbellServer doorbell;

    private TcpTransport(final TransportContext ctx)
    {
        this.ctx = ctx.conclude();
        this.agent = new TransportAgent(ctx);
        final Agent coLocated = ctx.coLocatedAgent();
        // the co-located (core) agent goes first, so responses it writes are flushed in the same duty cycle
        final Agent composite = null == coLocated ? agent : new CompositeAgent(coLocated, agent);
        this.invoker = new AgentInvoker(ctx.errorHandler(), null, composite);
        this.epoll = ctx.preferEpoll() && Epoll.isAvailable();
        final SelectStrategyFactory strategies =
            () -> new AgentSelectStrategy(invoker, ctx.idleStrategy(), ctx.idleSleep());
        final IoHandlerFactory handlers = epoll ?
            EpollIoHandler.newFactory(0, strategies) :
            NioIoHandler.newFactory(SelectorProvider.provider(), strategies);
        this.group =
            new MultiThreadIoEventLoopGroup(1, NettyThreads.fastThreadLocal(ctx.threadFactory(), null), handlers);
    }

    /**
     * Bind and start serving.
     *
     * @param ctx transport settings.
     * @return the running transport.
     */
    public static TcpTransport start(final TransportContext ctx)
    {
        final TcpTransport transport = new TcpTransport(ctx);
        try
        {
            transport.bind();
        }
        catch (final Exception ex)
        {
            // Exception: Netty rethrows a failed bind's IOException unchecked. The loop runs by now, and its agents
            // read and write the Aeron files its owner unmaps next: it must stop first
            transport.close();
            throw ex;
        }
        return transport;
    }

    private void bind()
    {
        final IdleSleep sleep = ctx.idleSleep();
        if (null != sleep)
        {
            // the sleeping loop's longest sleep: epoll_wait returns by the next scheduled task (one, re-armed)
            group.next().scheduleAtFixedRate(TcpTransport::tick, sleep.tickNs(), sleep.tickNs(), TimeUnit.NANOSECONDS);
            sleep.loop(group.next());
            doorbell = null == sleep.doorbell() ? null :
                DoorbellServer.bind(group, epoll, sleep.doorbell(), sleep.rings());
        }
        if (-1 != ctx.port())
        {
            serverChannel = bind(ctx.port(), null);
            LOG.info("portask transport listening on {} ({}, idle={})", serverChannel.localAddress(),
                epoll ? "epoll" : "nio", ctx.idleStrategy().alias());
        }
        final TlsSettings tls = ctx.tls();
        if (null != tls)
        {
            tlsChannel = bind(tls.port(), tls.serverContext());
            LOG.info("portask transport listening for TLS on {} ({}, {}, client certificates: {})",
                tlsChannel.localAddress(), tls.engineName(), String.join("/", tls.protocols()),
                tls.clientAuth().name().toLowerCase());
        }
    }

    private static void tick()
    {
        // nothing to do: being due is what ends the loop's sleep
    }

    private Channel bind(final int port, final SslContext tls)
    {
        final Class<? extends ServerChannel> channelClass =
            epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        final int highWaterMark = ctx.writeBufferHighWaterMark();
        final ServerBootstrap bootstrap = new ServerBootstrap()
            .group(group)
            .channel(channelClass)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            // one allocator for every connection rather than one each (each keeps only its own small handle)
            .childOption(ChannelOption.RECVBUF_ALLOCATOR, RECEIVE_ALLOCATOR)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(highWaterMark / 2, highWaterMark))
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                protected void initChannel(final SocketChannel channel)
                {
                    if (null != tls)
                    {
                        channel.pipeline().addLast(tls.newHandler(channel.alloc()));
                    }
                    channel.pipeline().addLast(new Connection(
                        agent.nextConnectionId(), agent, ctx.inboundRing(), ctx.maxFrameLength()));
                }
            });
        return bootstrap.bind(ctx.bindAddress(), port).syncUninterruptibly().channel();
    }

    /**
     * @return the plaintext port bound (useful when the context asked for port 0), or -1 when there is none.
     */
    public int port()
    {
        return null == serverChannel ? -1 : ((InetSocketAddress)serverChannel.localAddress()).getPort();
    }

    /**
     * @return the TLS port bound, or -1 when there is none.
     */
    public int tlsPort()
    {
        return null == tlsChannel ? -1 : ((InetSocketAddress)tlsChannel.localAddress()).getPort();
    }

    /**
     * @return true when the native epoll transport is in use.
     */
    public boolean isEpoll()
    {
        return epoll;
    }

    /**
     * Stop gracefully, before {@link #close}: stop accepting and reading, let every request already read be
     * answered, then tell each connection the broker is going away (an error with correlation id 0 and {@link
     * io.portask.protocol.ErrorCode#BROKER_STOPPING}) and close it. Returns when that is done or after
     * {@code timeoutMs} (answers still in flight then are not waited for).
     *
     * @param timeoutMs the longest to wait for answers in flight.
     * @throws InterruptedException when interrupted while waiting.
     */
    public void goAway(final long timeoutMs) throws InterruptedException
    {
        for (final Channel listener : new Channel[]{ serverChannel, tlsChannel })
        {
            if (null != listener)
            {
                listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
        final CountDownLatch gone = new CountDownLatch(1);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        group.next().execute(() -> agent.goAway(deadlineNs, gone::countDown));
        if (!gone.await(timeoutMs + 2_000, TimeUnit.MILLISECONDS))
        {
            LOG.warn("connections not told the broker is going away within {} ms", timeoutMs + 2_000);
        }
    }

    /**
     * Stop accepting, close every connection, stop the event loop, then close the agents it ran.
     */
    public void close()
    {
        for (final Channel listener : new Channel[]{ serverChannel, tlsChannel })
        {
            if (null != listener)
            {
                listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
        if (null != doorbell)
        {
            doorbell.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        invoker.close();
    }
}
