package io.portask.testsupport;

import java.io.IOException;
import java.net.ServerSocket;

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
}
