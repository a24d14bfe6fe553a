package io.portask.gateway;

import io.aeron.Aeron;
import io.portask.protocol.CounterIds;
import io.portask.protocol.CounterKey;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Prometheus text exposition: every Portask counter of the broker, read from its Aeron counters file through the
 * gateway's Aeron client, and the gateway's own requests by route and status with a latency histogram.
 * Names and labels come from each counter's type ({@link CounterIds#metricName}) and typed key
 * ({@link CounterKey}), never from its label: records appended to orders/0 are
 * {@code portask_records_appended_total{topic="orders",partition="0"}}, Produce requests
 * {@code portask_requests_total{kind="Produce"}}. Counters that only grow are Prometheus counters with
 * {@code _total}; levels (connections active, high watermark, lag) are gauges.
 * <p>
 * Threading: {@link #onRequest} from any thread; {@link #render} from any thread.
 */
final class Metrics
{
    private static final double[] BUCKETS_SECONDS = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1 };

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final LongAdder[] latencyBuckets = new LongAdder[BUCKETS_SECONDS.length + 1];
    private final LongAdder latencyCount = new LongAdder();
    private final LongAdder latencySumNs = new LongAdder();
    private final java.util.concurrent.atomic.AtomicLong webSocketsOpen = new java.util.concurrent.atomic.AtomicLong();
    private final LongAdder webSocketsDroppedSlow = new LongAdder();

    Metrics()
    {
        for (int i = 0; i < latencyBuckets.length; i++)
        {
            latencyBuckets[i] = new LongAdder();
        }
    }

    void onRequest(final String route, final int status, final long durationNs)
    {
        requests.computeIfAbsent(route + '\u0000' + status, k -> new LongAdder()).increment();
        final double seconds = durationNs / 1e9;
        int bucket = 0;
        while (bucket < BUCKETS_SECONDS.length && seconds > BUCKETS_SECONDS[bucket])
        {
            bucket++;
        }
        latencyBuckets[bucket].increment();
        latencyCount.increment();
        latencySumNs.add(durationNs);
    }

    void onWebSocketOpened()
    {
        webSocketsOpen.incrementAndGet();
    }

    void onWebSocketClosed()
    {
        webSocketsOpen.decrementAndGet();
    }

    void onWebSocketDroppedSlow()
    {
        webSocketsDroppedSlow.increment();
    }

    String render(final Aeron aeron)
    {
        final StringBuilder text = new StringBuilder(4096);
        if (null != aeron && !aeron.isClosed())
        {
            renderBroker(aeron.countersReader(), text);
        }
        text.append("# TYPE portask_gateway_requests_total counter\n");
        new TreeMap<>(requests).forEach((key, count) ->
        {
            final int split = key.indexOf('\u0000');
            text.append("portask_gateway_requests_total{route=\"").append(key, 0, split).append("\",status=\"")
                .append(key.substring(split + 1)).append("\"} ").append(count.sum()).append('\n');
        });
        text.append("# TYPE portask_gateway_request_seconds histogram\n");
        long cumulative = 0;
        for (int i = 0; i < latencyBuckets.length; i++)
        {
            cumulative += latencyBuckets[i].sum();
            final String le = i < BUCKETS_SECONDS.length ? Double.toString(BUCKETS_SECONDS[i]) : "+Inf";
            text.append("portask_gateway_request_seconds_bucket{le=\"").append(le).append("\"} ").append(cumulative)
                .append('\n');
        }
        text.append("portask_gateway_request_seconds_sum ").append(latencySumNs.sum() / 1e9).append('\n');
        text.append("portask_gateway_request_seconds_count ").append(latencyCount.sum()).append('\n');
        text.append("# TYPE portask_gateway_websockets gauge\nportask_gateway_websockets ")
            .append(webSocketsOpen.get()).append('\n');
        text.append("# TYPE portask_gateway_websockets_dropped_slow_total counter\n")
            .append("portask_gateway_websockets_dropped_slow_total ").append(webSocketsDroppedSlow.sum()).append('\n');
        return text.toString();
    }

    private static void renderBroker(final CountersReader reader, final StringBuilder text)
    {
        final Map<String, StringBuilder> byName = new TreeMap<>();
        final Map<String, Long> produceAck = new java.util.LinkedHashMap<>();
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (!CounterIds.isPortask(typeId))
            {
                return;
            }
            if (CounterIds.PRODUCE_ACK_LATENCY == typeId)
            {
                produceAck.put(CounterKey.kind(keyBuffer), reader.getCounterValue(counterId));
                return;
            }
            final boolean monotonic = CounterIds.isMonotonic(typeId);
            final String name = "portask_" + CounterIds.metricName(typeId) + (monotonic ? "_total" : "");
            final StringBuilder series = byName.computeIfAbsent(name, n -> new StringBuilder()
                .append("# TYPE ").append(n).append(monotonic ? " counter\n" : " gauge\n"));
            series.append(name).append(labels(typeId, keyBuffer, label)).append(' ')
                .append(reader.getCounterValue(counterId)).append('\n');
        });
        byName.values().forEach(text::append);
        histogram(text, "portask_" + CounterIds.metricName(CounterIds.PRODUCE_ACK_LATENCY), produceAck);
    }

    /**
     * A histogram the broker keeps as one counter per bucket (in bound order, "+Inf" last) and one of the sum in
     * microseconds ("sum_us"), rendered cumulative as Prometheus expects.
     */
    private static void histogram(final StringBuilder text, final String name, final Map<String, Long> counters)
    {
        if (counters.isEmpty())
        {
            return;
        }
        text.append("# TYPE ").append(name).append(" histogram\n");
        long cumulative = 0;
        for (final Map.Entry<String, Long> bucket : counters.entrySet())
        {
            if (!"sum_us".equals(bucket.getKey()))
            {
                cumulative += bucket.getValue();
                text.append(name).append("_bucket{le=\"").append(bucket.getKey()).append("\"} ").append(cumulative)
                    .append('\n');
            }
        }
        text.append(name).append("_sum ").append(counters.getOrDefault("sum_us", 0L) / 1e6).append('\n')
            .append(name).append("_count ").append(cumulative).append('\n');
    }

    private static String labels(final int typeId, final DirectBuffer key, final String label)
    {
        final String topic = CounterKey.topic(key, label);
        final String kind = CounterKey.kind(key);
        final StringBuilder labels = new StringBuilder();
        if (null != topic)
        {
            labels.append("topic=\"").append(escape(topic)).append("\",partition=\"").append(CounterKey.partition(key))
                .append('"');
        }
        if (null != kind)
        {
            labels.append(labels.length() > 0 ? "," : "").append(CounterIds.kindLabel(typeId)).append("=\"")
                .append(escape(kind)).append('"');
        }
        return labels.length() == 0 ? "" : "{" + labels + "}";
    }

    private static String escape(final String value)
    {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
