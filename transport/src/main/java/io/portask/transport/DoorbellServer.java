package io.portask.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.ReferenceCountUtil;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The broker's doorbell ({@link IdleSleep}): a Unix stream socket served on the event loop, whose only use is
 * that a byte written to it wakes the loop from epoll. Bytes read are counted and dropped.
 * <p>
 * Threading: bound and closed by the transport's owner; read on the event loop.
 */
final class DoorbellServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(DoorbellServer.class);

    private final Path path;
    private final Channel channel;

    private DoorbellServer(final Path path, final Channel channel)
    {
        this.path = path;
        this.channel = channel;
    }

    /**
     * Bind the doorbell, replacing a socket file a killed broker left.
     *
     * @param group the event loop to serve it on.
     * @param epoll whether the loop is native epoll (else NIO).
     * @param path  the socket file.
     * @param rings counts bytes read.
     * @return the bound doorbell, or null (logged) when it cannot be bound: gateways' requests then wait for the
     * loop's tick.
     */
    static DoorbellServer bind(
        final EventLoopGroup group, final boolean epoll, final Path path, final AtomicCounter rings)
    {
        try
        {
            Files.deleteIfExists(path);
            final SocketAddress address =
                epoll ? new DomainSocketAddress(path.toFile()) : UnixDomainSocketAddress.of(path);
            final Channel channel = new ServerBootstrap()
                .group(group)
                .channel(epoll ? EpollServerDomainSocketChannel.class : NioServerDomainSocketChannel.class)
                .childHandler(new Ringing(rings))
                .bind(address).syncUninterruptibly().channel();
            return new DoorbellServer(path, channel);
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.warn("no doorbell at {} ({}): a gateway's request waits for the idle tick when the broker sleeps",
                path, ex.toString());
            return null;
        }
    }

    /**
     * Stop serving and remove the socket file.
     */
    public void close()
    {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ex)
        {
            LOG.warn("could not remove the doorbell {}: {}", path, ex.toString());
        }
    }

    @ChannelHandler.Sharable
    private static final class Ringing extends ChannelInboundHandlerAdapter
    {
        private final AtomicCounter rings;

        Ringing(final AtomicCounter rings)
        {
            this.rings = rings;
        }

        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            if (msg instanceof ByteBuf bytes)
            {
                rings.getAndAddRelease(bytes.readableBytes());
            }
            ReferenceCountUtil.release(msg);
        }

        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }
    }
}
