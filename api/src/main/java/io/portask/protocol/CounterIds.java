package io.portask.protocol;

/**
 * Fixed type ids of Portask's counters in the Aeron counters file, with each type's metric name and whether it
 * only grows. Tools find a counter by its type id and, where several share a type, by its {@link CounterKey}
 * (topic, partition, kind). Never renumber.
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
    /** A partition's high watermark; label "high watermark: topic/partition". */
    public static final int HIGH_WATERMARK = 1018;
    /** Bytes of batches appended to a partition since the broker opened it; label "bytes appended: topic/p". */
    public static final int BYTES_APPENDED = 1019;
    /** Write-behind circuit state: 0 closed, 1 open, 2 half-open. */
    public static final int WRITE_BEHIND_CIRCUIT = 1020;
    /** Records not yet confirmed by Dragonfly, per partition; label "write-behind lag records: topic/p". */
    public static final int WRITE_BEHIND_LAG_RECORDS = 1021;
    /** Bytes not yet confirmed by Dragonfly, per partition; label "write-behind lag bytes: topic/p". */
    public static final int WRITE_BEHIND_LAG_BYTES = 1022;
    /** Records confirmed by Dragonfly since start. */
    public static final int WRITE_BEHIND_RECORDS = 1023;
    /** Bytes confirmed by Dragonfly since start. */
    public static final int WRITE_BEHIND_BYTES = 1024;
    /** Failed write-behind requests (errors and time-outs). */
    public static final int WRITE_BEHIND_ERRORS = 1025;
    /** Times a partition's stream was found not where the write-behind left it and was resynchronised. */
    public static final int WRITE_BEHIND_RESYNCS = 1026;
    /** Times the IPC response publication was back-pressured by a slow gateway. */
    public static final int IPC_BACK_PRESSURE = 1027;
    /** IPC responses dropped because no gateway was connected. */
    public static final int IPC_DROPPED = 1028;
    /** Write-behind paused by an operator: 1 paused, 0 running. */
    public static final int WRITE_BEHIND_PAUSED = 1029;
    /** Journal tails found damaged and cut at open (see the broker log and error log for the offsets). */
    public static final int JOURNAL_TAILS_CUT = 1030;
    /** Bytes of written journal data set aside by those cuts. */
    public static final int JOURNAL_BYTES_CUT = 1031;
    /** Times Dragonfly was found to hold less than it had confirmed (restarted empty, flushed): streams rewritten. */
    public static final int WRITE_BEHIND_DATA_LOSSES = 1032;
    /** Connections closed because their unsent output stayed over the bound past the write time-out. */
    public static final int SLOW_CONNECTIONS_CLOSED = 1033;
    /** Times pushes to a connection paused because its unsent output reached the bound. */
    public static final int PUSHES_PAUSED = 1034;
    /** First offset a partition still holds; label "log start: topic/p". */
    public static final int LOG_START_OFFSET = 1035;
    /** Segments (journal roll-cycle files, memory segments) retention dropped. */
    public static final int RETENTION_SEGMENTS_DELETED = 1036;
    /** Bytes retention dropped. */
    public static final int RETENTION_BYTES_DELETED = 1037;
    /** Records the write-behind skipped because retention deleted them before Dragonfly had them. */
    public static final int WRITE_BEHIND_SKIPPED = 1038;
    /** Idempotent producers' batches sent again and answered with their first offset, not stored twice. */
    public static final int DUPLICATE_BATCHES = 1039;
    /** A consumer group's lag on a partition: high watermark minus committed offset; kind = the group. */
    public static final int GROUP_LAG = 1040;
    /** Failed authentications; kind = how (TLS handshake, SCRAM, token, a request before authenticating). */
    public static final int AUTHENTICATION_FAILURES = 1041;
    /** The broker JVM's garbage collections; kind = the collector. */
    public static final int GC_COLLECTIONS = 1042;
    /** Milliseconds the broker JVM's collectors took; kind = the collector. */
    public static final int GC_TIME_MS = 1043;
    /**
     * Produce acks by the time the core took: one counter per bucket (kind: its upper bound in seconds, "+Inf") and
     * one of the sum (kind "sum_us"); served as the histogram {@code portask_produce_ack_seconds}.
     */
    public static final int PRODUCE_ACK_LATENCY = 1044;
    /**
     * 1 while the thread that reads the broker's IPC requests sleeps in epoll, else 0: a gateway that has offered a
     * request and reads 1 rings the doorbell ({@link IpcStreams#DOORBELL_FILE}).
     */
    public static final int IPC_ASLEEP = 1045;
    /** Doorbell rings read by the broker: times a gateway woke its IPC reading thread. */
    public static final int IPC_DOORBELL_RINGS = 1046;
    /** Records a replicated node has applied to a partition's journal; label "replicated applied: topic/p". */
    public static final int REPLICATED_APPLIED = 1047;
    /** A cluster node's member id (docs/replication.md). */
    public static final int CLUSTER_NODE = 1048;
    /** The member id of the cluster's leader as this node's client session knows it; -1 while none is known. */
    public static final int CLUSTER_LEADER = 1049;
    /** The cluster log position a node has applied up to; the leader's minus a follower's is its lag in bytes. */
    public static final int CLUSTER_LOG_POSITION = 1050;

    private static final String[] NAMES = new String[CLUSTER_LOG_POSITION - CONNECTIONS_ACTIVE + 1];
    private static final boolean[] MONOTONIC = new boolean[NAMES.length];

    static
    {
        name(CONNECTIONS_ACTIVE, "connections_active", false);
        name(CONNECTIONS_TOTAL, "connections", true);
        name(REQUESTS, "requests", true);
        name(ERRORS, "errors", true);
        name(BYTES_IN, "bytes_in", true);
        name(BYTES_OUT, "bytes_out", true);
        name(RECORDS_APPENDED, "records_appended", true);
        name(OUTBOUND_BACK_PRESSURE, "outbound_back_pressure", true);
        name(INBOUND_BACK_PRESSURE, "inbound_back_pressure", true);
        name(ERRORS_RECORDED, "errors_recorded", true);
        name(TOPICS, "topics", false);
        name(SUBSCRIPTIONS, "subscriptions", false);
        name(MEMORY_BYTES_HELD, "memory_bytes_held", false);
        name(MEMORY_EVICTIONS, "memory_evictions", true);
        name(TIER_HITS, "memory_tier_hits", true);
        name(TIER_MISSES, "memory_tier_misses", true);
        name(EVICTED_READS, "memory_evicted_reads", true);
        name(HIGH_WATERMARK, "high_watermark", false);
        name(BYTES_APPENDED, "bytes_appended", true);
        name(WRITE_BEHIND_CIRCUIT, "write_behind_circuit", false);
        name(WRITE_BEHIND_LAG_RECORDS, "write_behind_lag_records", false);
        name(WRITE_BEHIND_LAG_BYTES, "write_behind_lag_bytes", false);
        name(WRITE_BEHIND_RECORDS, "write_behind_records", true);
        name(WRITE_BEHIND_BYTES, "write_behind_bytes", true);
        name(WRITE_BEHIND_ERRORS, "write_behind_errors", true);
        name(WRITE_BEHIND_RESYNCS, "write_behind_resyncs", true);
        name(IPC_BACK_PRESSURE, "ipc_back_pressure", true);
        name(IPC_DROPPED, "ipc_responses_dropped", true);
        name(WRITE_BEHIND_PAUSED, "write_behind_paused", false);
        name(JOURNAL_TAILS_CUT, "journal_tails_cut", true);
        name(JOURNAL_BYTES_CUT, "journal_bytes_cut", true);
        name(WRITE_BEHIND_DATA_LOSSES, "write_behind_data_losses", true);
        name(SLOW_CONNECTIONS_CLOSED, "slow_connections_closed", true);
        name(PUSHES_PAUSED, "pushes_paused", true);
        name(LOG_START_OFFSET, "log_start_offset", false);
        name(RETENTION_SEGMENTS_DELETED, "retention_segments_deleted", true);
        name(RETENTION_BYTES_DELETED, "retention_bytes_deleted", true);
        name(WRITE_BEHIND_SKIPPED, "write_behind_records_skipped", true);
        name(DUPLICATE_BATCHES, "duplicate_batches", true);
        name(GROUP_LAG, "group_lag", false);
        name(AUTHENTICATION_FAILURES, "authentication_failures", true);
        name(GC_COLLECTIONS, "gc_collections", true);
        name(GC_TIME_MS, "gc_time_ms", true);
        name(PRODUCE_ACK_LATENCY, "produce_ack_seconds", true);
        name(IPC_ASLEEP, "ipc_reader_asleep", false);
        name(IPC_DOORBELL_RINGS, "ipc_doorbell_rings", true);
        name(REPLICATED_APPLIED, "replicated_records_applied", false);
        name(CLUSTER_NODE, "cluster_node", false);
        name(CLUSTER_LEADER, "cluster_leader", false);
        name(CLUSTER_LOG_POSITION, "cluster_log_position", false);
    }

    private CounterIds()
    {
    }

    private static void name(final int typeId, final String name, final boolean monotonic)
    {
        NAMES[typeId - CONNECTIONS_ACTIVE] = name;
        MONOTONIC[typeId - CONNECTIONS_ACTIVE] = monotonic;
    }

    /**
     * @param typeId one of Portask's type ids.
     * @return the Prometheus label name of its key's kind: "group" for group lag, else "kind".
     */
    public static String kindLabel(final int typeId)
    {
        return GROUP_LAG == typeId ? "group" : PRODUCE_ACK_LATENCY == typeId ? "le" : "kind";
    }

    /**
     * @param typeId a counter type id.
     * @return true when it is one of Portask's.
     */
    public static boolean isPortask(final int typeId)
    {
        return typeId >= CONNECTIONS_ACTIVE && typeId - CONNECTIONS_ACTIVE < NAMES.length;
    }

    /**
     * @param typeId one of Portask's type ids.
     * @return the metric's base name (snake case, no prefix, no {@code _total}).
     */
    public static String metricName(final int typeId)
    {
        return NAMES[typeId - CONNECTIONS_ACTIVE];
    }

    /**
     * @param typeId one of Portask's type ids.
     * @return true for counters that only grow (Prometheus {@code counter}), false for levels ({@code gauge}).
     */
    public static boolean isMonotonic(final int typeId)
    {
        return MONOTONIC[typeId - CONNECTIONS_ACTIVE];
    }
}
