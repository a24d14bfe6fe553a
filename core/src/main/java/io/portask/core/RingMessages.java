package io.portask.core;

/**
 * Message types on the ring buffers between the transport agents and the core agent. Every message starts
 * with the connection id (int64); a request or response carries the unframed SBE message after it.
 * <pre>
 *   inbound  (transport -> core): CONNECTION_OPENED | CONNECTION_CLOSED | REQUEST
 *   outbound (core -> transport): RESPONSE | CLOSE_CONNECTION
 * </pre>
 */
public final class RingMessages
{
    /** A connection was accepted: [connectionId]. */
    public static final int CONNECTION_OPENED = 1;
    /** A connection closed: [connectionId]. */
    public static final int CONNECTION_CLOSED = 2;
    /** A request: [connectionId][SBE message]. */
    public static final int REQUEST = 3;
    /** A response or push: [connectionId][SBE message]. */
    public static final int RESPONSE = 4;
    /** The core asks the transport to close a connection: [connectionId]. */
    public static final int CLOSE_CONNECTION = 5;

    /** Offset of the connection id in every message. */
    public static final int CONNECTION_ID_OFFSET = 0;
    /** Offset of the SBE message in REQUEST and RESPONSE. */
    public static final int MESSAGE_OFFSET = 8;
    /**
     * Set in the connection id of a connection that arrives over Aeron IPC (a gateway): the core answers it on the
     * IPC outbound ring instead of the TCP one.
     */
    public static final long IPC_CONNECTION_BIT = 1L << 62;

    /**
     * @param connectionId a connection id.
     * @return true when it belongs to an Aeron IPC connection.
     */
    public static boolean isIpc(final long connectionId)
    {
        return 0 != (connectionId & IPC_CONNECTION_BIT);
    }

    private RingMessages()
    {
    }
}
