package io.portask.testsupport;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for tests and perf runs that start servers of their own.
 */
public final class FreePorts
{
    private FreePorts()
    {
    }

    /**
     * @return a TCP port nobody listens on now (the OS's choice for an ephemeral bind).
     * @throws IOException when none is free.
     */
    public static int next() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    /**
     * @param ports how many consecutive UDP ports are wanted.
     * @return the first of a block of UDP ports free on loopback now (from 20000 on, a multiple of 10).
     */
    public static int udpBlock(final int ports)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int base = 20_000 + 10 * ThreadLocalRandom.current().nextInt(1_000);
            boolean free = true;
            for (int port = base; port < base + ports && free; port++)
            {
                try (DatagramSocket socket = new DatagramSocket(port, InetAddress.getLoopbackAddress()))
                {
                    free = socket.isBound();
                }
                catch (final IOException ex)
                {
                    free = false;
                }
            }
            if (free)
            {
                return base;
            }
        }
        throw new IllegalStateException("no block of " + ports + " free UDP ports");
    }
}
