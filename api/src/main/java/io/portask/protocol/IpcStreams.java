package io.portask.protocol;

/**
 * The Aeron IPC streams between the broker and its gateways, and how a gateway's session becomes a connection.
 * <pre>
 *   request stream  (gateway -> broker): [SBE message]                      one publication per gateway
 *   response stream (broker -> gateways): [connectionId int64][SBE message]  read by every gateway
 * </pre>
 * A gateway's connection id is {@code CONNECTION_BIT | its request publication's session id}; it keeps the
 * responses and pushes that carry it.
 * <p>
 * Aeron IPC wakes nobody: a broker thread that sleeps when idle would see a request only at its next tick. So the
 * broker sleeps in epoll, with the counter {@link CounterIds#IPC_ASLEEP} at 1, on a Unix socket in its Aeron
 * directory ({@link #DOORBELL_FILE}) among its other sockets; a gateway that has offered a request and reads the
 * counter at 1 writes a byte to that socket (a ring), which wakes it.
 */
public final class IpcStreams
{
    /** Channel of both streams. */
    public static final String CHANNEL = "aeron:ipc";
    /** Gateways to broker. */
    public static final int REQUEST_STREAM_ID = 1001;
    /** Broker to gateways. */
    public static final int RESPONSE_STREAM_ID = 1002;
    /**
     * Set in the connection id of a connection that arrives over Aeron IPC (a gateway): the core answers it on the
     * IPC outbound ring instead of the TCP one.
     */
    public static final long CONNECTION_BIT = 1L << 62;
    /** The broker's doorbell: a Unix stream socket in its Aeron directory. */
    public static final String DOORBELL_FILE = "portask-doorbell.sock";

    private IpcStreams()
    {
    }

    /**
     * @param sessionId a gateway request publication's session id.
     * @return the core's connection id for it.
     */
    public static long connectionId(final int sessionId)
    {
        return CONNECTION_BIT | (sessionId & 0xFFFF_FFFFL);
    }
}
