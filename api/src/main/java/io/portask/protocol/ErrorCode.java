package io.portask.protocol;

/**
 * Stable numeric error codes carried by {@code ErrorResponse} on the wire. The table in docs/protocol.md is
 * generated from the same values; a code is never renumbered or reused.
 * <p>
 * Thread safety: immutable.
 */
public enum ErrorCode
{
    /** No error. */
    NONE(0, false),
    /** The template id of the request is not one the broker knows, or the schema id differs. */
    UNKNOWN_REQUEST(1, false),
    /** A field of the request is out of range or malformed. */
    INVALID_REQUEST(2, false),
    /** A frame or record batch failed its CRC or length check; the broker closes the connection after this. */
    CORRUPT_MESSAGE(3, false),
    /** The requested offset is before the log start or after the high watermark. */
    OFFSET_OUT_OF_RANGE(4, false),
    /** No such topic, or the partition index is outside the topic. */
    UNKNOWN_TOPIC_OR_PARTITION(5, false),
    /** CreateTopic named a topic that exists. */
    TOPIC_ALREADY_EXISTS(6, false),
    /** The request was not answered in time. */
    REQUEST_TIMEOUT(7, true),
    /** The storage layer failed to read or write; the request had no effect. */
    STORAGE_ERROR(8, true),
    /** The caller is not allowed to do this. */
    NOT_AUTHORIZED(9, false),
    /** The broker is shedding load; retry after a backoff. */
    THROTTLED(10, true),
    /** The frame is larger than the broker's maximum frame size; refused before it is buffered. */
    MESSAGE_TOO_LARGE(11, false),
    /** An Unsubscribe or Credit named a subscription this connection does not hold. */
    UNKNOWN_SUBSCRIPTION(12, false),
    /** Client side only: the connection to the broker failed or closed with the request in flight. */
    NETWORK_ERROR(13, true),
    /** An idempotent producer's batch does not follow its last one on the partition (a gap or a reordering). */
    OUT_OF_ORDER_SEQUENCE(14, false),
    /** An idempotent producer's epoch is older than the partition has seen: another instance took over. */
    PRODUCER_FENCED(15, false),
    /** A heartbeat or commit from a member the group does not know (it left, or missed its session timeout). */
    FENCED_MEMBER_EPOCH(16, false),
    /** A commit or heartbeat with an epoch older than the member's: its assignment moved on. */
    STALE_MEMBER_EPOCH(17, false),
    /** A request before the connection authenticated, on a broker that requires it; repeated, the connection closes. */
    AUTHENTICATION_REQUIRED(18, false),
    /** Wrong credentials, an expired or unknown token, or a malformed or replayed authentication message. */
    AUTHENTICATION_FAILED(19, false),
    /** The going-away notice (correlation id 0): the broker is stopping and closes the connection after it. */
    BROKER_STOPPING(20, true),
    /**
     * A write to a replicated topic reached a node that does not lead the cluster; the message starts with
     * {@code leader=host:port} (the leader's client address, empty while an election runs), where to send it again.
     */
    NOT_LEADER(21, true);

    private static final ErrorCode[] BY_CODE;

    static
    {
        final ErrorCode[] values = values();
        BY_CODE = new ErrorCode[values[values.length - 1].code + 1];
        for (final ErrorCode value : values)
        {
            BY_CODE[value.code] = value;
        }
    }

    private final int code;
    private final boolean retriable;

    ErrorCode(final int code, final boolean retriable)
    {
        this.code = code;
        this.retriable = retriable;
    }

    /**
     * The value on the wire.
     *
     * @return the stable numeric code.
     */
    public int code()
    {
        return code;
    }

    /**
     * Whether a client may retry the same request after a backoff.
     *
     * @return true when the condition is transient.
     */
    public boolean retriable()
    {
        return retriable;
    }

    /**
     * Look a code up by its wire value.
     *
     * @param code the value read off the wire.
     * @return the code, or {@link #UNKNOWN_REQUEST} for a value this version does not know.
     */
    public static ErrorCode get(final int code)
    {
        if (code >= 0 && code < BY_CODE.length && null != BY_CODE[code])
        {
            return BY_CODE[code];
        }
        return UNKNOWN_REQUEST;
    }
}
