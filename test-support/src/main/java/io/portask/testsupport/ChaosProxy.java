package io.portask.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a broker that can cut every connection through it at once, as a flaky network or a
 * load balancer does: clients see their requests in flight fail and reconnect through it again.
 */
public final class ChaosProxy implements AutoCloseable
{
    private final ServerSocket server;
    private final String upstreamHost;
    private final int upstreamPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /**
     * @param upstreamHost the broker's host.
     * @param upstreamPort the broker's port.
     * @throws IOException when no port can be bound.
     */
    public ChaosProxy(final String upstreamHost, final int upstreamPort) throws IOException
    {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final Thread acceptor = new Thread(this::accept, "chaos-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * @return "127.0.0.1:port" of the proxy.
     */
    public String bootstrap()
    {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /**
     * Close every connection through the proxy, both sides; new ones are accepted as before.
     *
     * @return connections cut.
     */
    public int cutAll()
    {
        int cut = 0;
        for (final Socket socket : sockets)
        {
            closeQuietly(socket);
            sockets.remove(socket);
            cut++;
        }
        return cut / 2;
    }

    private void accept()
    {
        while (!closed)
        {
            try
            {
                final Socket client = server.accept();
                final Socket upstream = new Socket(upstreamHost, upstreamPort);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            }
            catch (final IOException ex)
            {
                if (closed)
                {
                    return;
                }
            }
        }
    }

    private void pump(final Socket from, final Socket to)
    {
        final Thread thread = new Thread(() ->
        {
            final byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream())
            {
                int read;
                while ((read = in.read(buffer)) >= 0)
                {
                    out.write(buffer, 0, read);
                }
            }
            catch (final IOException ex)
            {
                // cut, or the other side went: close both
            }
            closeQuietly(from);
            closeQuietly(to);
        }, "chaos-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignored)
        {
            // closing anyway
        }
    }

    /**
     * Stop accepting and cut everything.
     */
    public void close()
    {
        closed = true;
        cutAll();
        try
        {
            server.close();
        }
        catch (final IOException ignored)
        {
            // closing anyway
        }
    }
}
