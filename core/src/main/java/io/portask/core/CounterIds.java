package io.portask.core;

/**
 * Fixed type ids of Portask's counters in the Aeron counters file. Tools find a counter by its type id and,
 * where several share a type, by its label. Never renumber.
 */
public final class CounterIds
{
    /** Connections open now. */
    public static final int CONNECTIONS_ACTIVE = 1001;
    /** Connections accepted since start. */
    public static final int CONNECTIONS_TOTAL = 1002;
    /** Requests received, one counter per request type; label "requests: TYPE". */
    public static final int REQUESTS = 1003;
    /** Error responses sent, one counter per error code; label "errors: CODE". */
    public static final int ERRORS = 1004;
    /** Bytes read from client sockets. */
    public static final int BYTES_IN = 1005;
    /** Bytes written to client sockets. */
    public static final int BYTES_OUT = 1006;
    /** Records appended, one counter per partition; label "records appended: topic/partition". */
    public static final int RECORDS_APPENDED = 1007;
    /** Times the core found the outbound ring buffer full and deferred work. */
    public static final int OUTBOUND_BACK_PRESSURE = 1008;
    /** Times a transport found the inbound ring buffer full and paused reading. */
    public static final int INBOUND_BACK_PRESSURE = 1009;
    /** Exceptions recorded in the distinct error log. */
    public static final int ERRORS_RECORDED = 1010;
    /** Topics that exist. */
    public static final int TOPICS = 1011;
    /** Push subscriptions open now. */
    public static final int SUBSCRIPTIONS = 1012;

    private CounterIds()
    {
    }
}
