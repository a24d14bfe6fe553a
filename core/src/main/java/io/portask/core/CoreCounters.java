package io.portask.core;

import io.portask.protocol.CounterFactory;
import io.portask.protocol.CounterIds;
import io.portask.protocol.ErrorCode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.ArrayList;
import java.util.List;

/**
 * The core agent's counters. Written by the core agent only; read from anywhere through the counters file.
 */
public final class CoreCounters implements AutoCloseable
{
    private static final String[] REQUEST_NAMES = {
        null, "ErrorResponse", "Produce", null, "Fetch", null, "GetOffsets", null, "CreateTopic", null,
        "DeleteTopic", null, "ListTopics", null, "DescribeTopic", null, "Health", null, "CommitOffset", null,
        "FetchCommittedOffset", null, "Subscribe", null, "Unsubscribe", null, "Credit", null, "ListConnections",
        null, "Admin", null, "AlterTopic", null, "InitProducer", null, "GroupHeartbeat", null, "ListGroups",
        null, "DescribeGroup", null, "DeleteGroup", null, null, null, "Proxied",
    };

    private final List<AtomicCounter> all = new ArrayList<>();
    private final AtomicCounter[] requestsByTemplate = new AtomicCounter[REQUEST_NAMES.length];
    private final AtomicCounter unknownRequests;
    private final AtomicCounter[] errorsByCode = new AtomicCounter[ErrorCode.values().length + 1];
    private final AtomicCounter connectionsActive;
    private final AtomicCounter connectionsTotal;
    private final AtomicCounter outboundBackPressure;
    private final AtomicCounter topics;
    private final AtomicCounter subscriptions;
    private final AtomicCounter evictedReads;
    private final AtomicCounter pushesPaused;
    private final AtomicCounter retentionSegmentsDeleted;
    private final AtomicCounter retentionBytesDeleted;
    private final AtomicCounter duplicateBatches;
    private final LatencyHistogram produceAckLatency;

    /**
     * Allocate the core's counters.
     *
     * @param factory to allocate from.
     */
    public CoreCounters(final CounterFactory factory)
    {
        for (int i = 0; i < REQUEST_NAMES.length; i++)
        {
            if (null != REQUEST_NAMES[i] && i != 1)
            {
                requestsByTemplate[i] = add(factory.newCounter(
                    CounterIds.REQUESTS, null, -1, REQUEST_NAMES[i], "requests: " + REQUEST_NAMES[i]));
            }
        }
        unknownRequests = add(factory.newCounter(CounterIds.REQUESTS, null, -1, "unknown", "requests: unknown"));
        for (final ErrorCode code : ErrorCode.values())
        {
            if (code != ErrorCode.NONE)
            {
                errorsByCode[code.code()] = add(factory.newCounter(
                    CounterIds.ERRORS, null, -1, code.name(), "errors: " + code.name()));
            }
        }
        connectionsActive = add(factory.newCounter(CounterIds.CONNECTIONS_ACTIVE, "connections active"));
        connectionsTotal = add(factory.newCounter(CounterIds.CONNECTIONS_TOTAL, "connections total"));
        outboundBackPressure = add(factory.newCounter(CounterIds.OUTBOUND_BACK_PRESSURE, "outbound back-pressure"));
        topics = add(factory.newCounter(CounterIds.TOPICS, "topics"));
        subscriptions = add(factory.newCounter(CounterIds.SUBSCRIPTIONS, "subscriptions"));
        evictedReads = add(factory.newCounter(CounterIds.EVICTED_READS, "memory evicted reads"));
        pushesPaused = add(factory.newCounter(CounterIds.PUSHES_PAUSED, "pushes paused"));
        retentionSegmentsDeleted = add(factory.newCounter(
            CounterIds.RETENTION_SEGMENTS_DELETED, "retention segments deleted"));
        retentionBytesDeleted = add(factory.newCounter(CounterIds.RETENTION_BYTES_DELETED, "retention bytes deleted"));
        duplicateBatches = add(factory.newCounter(CounterIds.DUPLICATE_BATCHES, "duplicate batches"));
        produceAckLatency = new LatencyHistogram(factory, CounterIds.PRODUCE_ACK_LATENCY, "produce ack latency");
    }

    private AtomicCounter add(final AtomicCounter counter)
    {
        all.add(counter);
        return counter;
    }

    void onRequest(final int templateId)
    {
        final AtomicCounter counter = templateId >= 0 && templateId < requestsByTemplate.length ?
            requestsByTemplate[templateId] : null;
        (null == counter ? unknownRequests : counter).incrementRelease();
    }

    void onError(final ErrorCode code)
    {
        errorsByCode[code.code()].incrementRelease();
    }

    AtomicCounter connectionsActive()
    {
        return connectionsActive;
    }

    AtomicCounter connectionsTotal()
    {
        return connectionsTotal;
    }

    AtomicCounter outboundBackPressure()
    {
        return outboundBackPressure;
    }

    AtomicCounter duplicateBatches()
    {
        return duplicateBatches;
    }

    AtomicCounter retentionSegmentsDeleted()
    {
        return retentionSegmentsDeleted;
    }

    AtomicCounter retentionBytesDeleted()
    {
        return retentionBytesDeleted;
    }

    /**
     * @return produce acks by the time from the core's reading the request to its writing the ack.
     */
    LatencyHistogram produceAckLatency()
    {
        return produceAckLatency;
    }

    AtomicCounter pushesPaused()
    {
        return pushesPaused;
    }

    AtomicCounter topics()
    {
        return topics;
    }

    AtomicCounter subscriptions()
    {
        return subscriptions;
    }

    AtomicCounter evictedReads()
    {
        return evictedReads;
    }

    /**
     * Free every counter.
     */
    public void close()
    {
        CloseHelper.closeAll(all);
        CloseHelper.close(produceAckLatency);
    }
}
