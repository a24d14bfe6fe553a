package io.portask.client;

import java.io.IOException;
import java.net.Socket;
import java.nio.channels.SocketChannel;

/**
 * Socket chores of a {@link ClientConnection}: closing quietly, the channel of a non-blocking socket, a reconnect
 * pause.
 */
final class ClientSockets
{
    private ClientSockets()
    {
    }

    static void sleep(final long ms)
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

    static void closeQuietly(final Socket socket)
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
     * @return the socket's channel when it is in non-blocking mode (a spinning client, after authentication).
     */
    static SocketChannel nonBlocking(final Socket socket)
    {
        final SocketChannel channel = socket.getChannel();
        return null != channel && !channel.isBlocking() ? channel : null;
    }
}
