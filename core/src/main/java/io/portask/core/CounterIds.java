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
    /** Bytes of segments held by the memory tier and memory-only partitions together. */
    public static final int MEMORY_BYTES_HELD = 1013;
    /** Memory segments dropped to stay within a budget. */
    public static final int MEMORY_EVICTIONS = 1014;
    /** Reads of journal partitions served from the memory tier. */
    public static final int TIER_HITS = 1015;
    /** Reads of journal partitions that went to the journal. */
    public static final int TIER_MISSES = 1016;
    /** Reads of a memory-only partition before its log start: the records were evicted. */
    public static final int EVICTED_READS = 1017;

    private CounterIds()
    {
    }
}
