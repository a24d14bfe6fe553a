package io.portask.gateway;

import io.aeron.Aeron;
import org.agrona.concurrent.status.CountersReader;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Prometheus text exposition: every Portask counter of the broker, read from its Aeron counters file through the
 * gateway's Aeron client, and the gateway's own requests by route and status with a latency histogram.
 * A broker label "records appended: orders/0" becomes {@code portask_records_appended{topic="orders",
 * partition="0"}}; "requests: Produce" becomes {@code portask_requests{kind="Produce"}}.
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
        final Map<String, Boolean> typed = new TreeMap<>();
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (typeId < 1001 || typeId > 1099)
            {
                return;
            }
            final int colon = label.indexOf(':');
            final String base = colon < 0 ? label : label.substring(0, colon);
            final String name = "portask_" + base.replaceAll("\\(.*\\)", "").trim().toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "_").replaceAll("_+$", "");
            if (null == typed.putIfAbsent(name, Boolean.TRUE))
            {
                text.append("# TYPE ").append(name).append(" gauge\n");
            }
            text.append(name).append(labels(colon < 0 ? null : label.substring(colon + 1).trim())).append(' ')
                .append(reader.getCounterValue(counterId)).append('\n');
        });
    }

    private static String labels(final String detail)
    {
        if (null == detail)
        {
            return "";
        }
        final int slash = detail.lastIndexOf('/');
        if (slash > 0 && detail.substring(slash + 1).chars().allMatch(Character::isDigit))
        {
            return "{topic=\"" + escape(detail.substring(0, slash)) + "\",partition=\"" +
                detail.substring(slash + 1) + "\"}";
        }
        return "{kind=\"" + escape(detail) + "\"}";
    }

    private static String escape(final String value)
    {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
