package io.portask.gateway;

import io.portask.protocol.CounterIds;
import io.portask.protocol.IpcStreams;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The ringing side of a broker's doorbell ({@link IpcStreams#DOORBELL_FILE}): offer a request on Aeron IPC, then
 * {@link #ring()}; when the broker's IPC reading thread sleeps (its {@link CounterIds#IPC_ASLEEP} counter reads
 * 1), one byte on the doorbell socket wakes it. When the broker is awake a ring costs a fence and a read.
 * <p>
 * Threading: {@link #ring()} from any thread; writes are serialised.
 */
public final class Doorbell implements AutoCloseable
{
    /** A doorbell that is not there: rings nothing (the broker has none, or it is not reachable yet). */
    public static final Doorbell NONE = new Doorbell(null, -1, null);

    private final CountersReader counters;
    private final int asleepCounterId;
    private final SocketChannel channel;
    private final ByteBuffer bell = ByteBuffer.allocateDirect(1);
    private volatile boolean open;

    private Doorbell(final CountersReader counters, final int asleepCounterId, final SocketChannel channel)
    {
        this.counters = counters;
        this.asleepCounterId = asleepCounterId;
        this.channel = channel;
        this.open = null != channel;
    }

    /**
     * Find the broker's asleep counter and connect to its doorbell.
     *
     * @param aeronDir the broker's Aeron directory.
     * @param counters the counters of that directory's media driver.
     * @return the doorbell, or {@link #NONE} when the broker has no asleep counter or no doorbell socket (yet).
     */
    public static Doorbell open(final String aeronDir, final CountersReader counters)
    {
        final int[] found = { -1 };
        counters.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (CounterIds.IPC_ASLEEP == typeId)
            {
                found[0] = counterId;
            }
        });
        final Path path = Path.of(aeronDir, IpcStreams.DOORBELL_FILE);
        if (-1 == found[0] || !path.toFile().exists())
        {
            return NONE;
        }
        try
        {
            final SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try
            {
                channel.connect(UnixDomainSocketAddress.of(path));
                channel.configureBlocking(false);
                return new Doorbell(counters, found[0], channel);
            }
            catch (final IOException | RuntimeException ex)
            {
                channel.close();
                return NONE;
            }
        }
        catch (final IOException ex)
        {
            return NONE;
        }
    }

    /**
     * @return true when connected: rings reach the broker.
     */
    public boolean isOpen()
    {
        return open;
    }

    /**
     * Wake the broker's IPC reading thread if it sleeps. Call after the request is offered: the fence orders that
     * write before the read of the asleep counter, as the broker orders its counter write before looking for work.
     * A failed write closes the doorbell (the broker went away); rings after that do nothing.
     */
    public void ring()
    {
        if (!open)
        {
            return;
        }
        VarHandle.fullFence();
        if (1 != counters.getCounterValue(asleepCounterId))
        {
            return;
        }
        synchronized (bell)
        {
            try
            {
                bell.clear();
                channel.write(bell); // 0 written: the socket is full of unread rings, the broker is waking anyway
            }
            catch (final IOException ex)
            {
                close();
            }
        }
    }

    /**
     * Disconnect.
     */
    public void close()
    {
        open = false;
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                // closing a Unix socket the peer dropped: nothing to do
            }
        }
    }
}
