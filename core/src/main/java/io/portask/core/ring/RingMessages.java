package io.portask.core.ring;

import io.portask.protocol.IpcStreams;

/**
 * Message types on the ring buffers between the transport agents and the core agent. Every message starts
 * with the connection id (int64); a request or response carries the unframed SBE message after it.
 * <pre>
 *   inbound  (transport -> core): CONNECTION_OPENED | CONNECTION_CLOSED | CONNECTION_AUTHENTICATED | REQUEST
 *                                  | OUTPUT_BLOCKED | OUTPUT_UNBLOCKED
 *   outbound (core -> transport): RESPONSE | CLOSE_CONNECTION
 * </pre>
 */
public final class RingMessages
{
    /** A connection was accepted: [connectionId][remote address, UTF-8, to the end of the message]. */
    public static final int CONNECTION_OPENED = 1;
    /** A connection closed: [connectionId]. */
    public static final int CONNECTION_CLOSED = 2;
    /** A request: [connectionId][SBE message]. */
    public static final int REQUEST = 3;
    /** A response or push: [connectionId][SBE message]. */
    public static final int RESPONSE = 4;
    /** The core asks the transport to close a connection: [connectionId]. */
    public static final int CLOSE_CONNECTION = 5;
    /** Inbound: a connection's unsent output reached its bound; pause pushes to it. */
    public static final int OUTPUT_BLOCKED = 6;
    /** Inbound: a connection's unsent output drained below half its bound; pushes may go on. */
    public static final int OUTPUT_UNBLOCKED = 7;
    /** Inbound: a connection authenticated: [connectionId][principal, UTF-8]. */
    public static final int CONNECTION_AUTHENTICATED = 8;

    /** Offset of the connection id in every message. */
    public static final int CONNECTION_ID_OFFSET = 0;
    /** Offset of the SBE message in REQUEST and RESPONSE. */
    public static final int MESSAGE_OFFSET = 8;
    /**
     * Write a connection notice to the inbound ring: [connectionId][remote, UTF-8 (at most 256 bytes)].
     *
     * @param inbound      the ring.
     * @param scratch      at least MESSAGE_OFFSET + 1024 bytes.
     * @param type         CONNECTION_OPENED or CONNECTION_CLOSED.
     * @param connectionId the connection.
     * @param remote       who is at the other end; may be empty.
     * @return false when the ring is full.
     */
    public static boolean writeNotice(
        final org.agrona.concurrent.ringbuffer.RingBuffer inbound,
        final org.agrona.MutableDirectBuffer scratch,
        final int type,
        final long connectionId,
        final String remote)
    {
        scratch.putLong(CONNECTION_ID_OFFSET, connectionId);
        final String shown = remote.length() > 256 ? remote.substring(0, 256) : remote;
        final int length = scratch.putStringWithoutLengthUtf8(MESSAGE_OFFSET, shown);
        return inbound.write(type, scratch, 0, MESSAGE_OFFSET + length);
    }

    /**
     * @param connectionId a connection id.
     * @return true when it belongs to an Aeron IPC connection.
     */
    public static boolean isIpc(final long connectionId)
    {
        return 0 != (connectionId & IpcStreams.CONNECTION_BIT);
    }

    private RingMessages()
    {
    }
}
