package io.portask.perf;

import io.portask.core.ThreadingMode;
import io.portask.gateway.Gateway;
import io.portask.gateway.GatewayContext;
import io.portask.ops.Broker;
import io.portask.ops.BrokerContext;
import io.portask.ops.IdleStrategyKind;
import io.portask.perf.load.PacedPingClient;
import io.portask.perf.load.ProduceFrame;
import io.portask.protocol.sbe.AckLevel;
import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway measured in the same run as the direct TCP path it fronts:
 * <ol>
 *   <li>latency: one 100-byte record published over HTTP (JSON, gateway, Aeron IPC hop, broker, back) against
 *   a produce-ack of the same record over the binary TCP protocol, and over Aeron IPC alone as the gateway sends
 *   it (with and without ringing the broker's doorbell), all paced and corrected for coordinated omission
 *   ({@link PacedPingClient} for TCP, {@link PacedIpcClient} for IPC; the same schedule for HTTP with the JDK
 *   HTTP client);</li>
 *   <li>throughput: concurrent HTTP clients publishing for a fixed time, one record per request and 100.</li>
 * </ol>
 * <pre>
 *   ./portask perf gateway [--messages 5000] [--warmup 2000] [--interval-us 2000] [--clients 8] [--seconds 5]
 *                          [--broker-max-park-us 1000] [--link-max-park-us 100]
 * </pre>
 */
public final class GatewayBenchmark
{
    private static final String VALUE = "x".repeat(100);

    private GatewayBenchmark()
    {
    }

    /**
     * @param args options, see the class comment.
     * @throws Exception when a run fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final java.util.Map<String, Long> options = new java.util.HashMap<>(java.util.Map.of("messages", 5_000L,
            "warmup", 2_000L, "interval-us", 2_000L, "clients", 8L, "seconds", 5L, "broker-max-park-us", 1_000L,
            "link-max-park-us", 100L));
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            final String name = args[i].replaceFirst("^--", "");
            if (!options.containsKey(name))
            {
                throw new IllegalArgumentException("unknown option " + args[i] + "; known: " + options.keySet());
            }
            options.put(name, Long.parseLong(args[i + 1]));
        }
        final File dataDir = Files.createTempDirectory("portask-gateway-bench").toFile();
        final long brokerParkUs = options.get("broker-max-park-us");
        final long linkParkUs = options.get("link-max-park-us");
        try (Broker broker = Broker.launch(new BrokerContext().port(0).dataDir(dataDir)
            .threadingMode(ThreadingMode.SHARED).idleStrategy(IdleStrategyKind.BACKOFF)
            .idleMaxParkNs(brokerParkUs * 1_000));
            Gateway gateway = Gateway.launch(new GatewayContext().port(0).aeronDir(broker.aeronDirectoryName())
                .linkMaxParkNs(linkParkUs * 1_000)))
        {
            final String base = "http://127.0.0.1:" + gateway.port();
            final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            awaitHealthy(http, base);
            post(http, base + "/api/v1/topics", "{\"name\":\"gw\",\"partitions\":1}");
            System.out.printf(Locale.ROOT, "conditions: JDK %s, %d cores, broker SHARED/backoff (longest park %d us) " +
                "and gateway (link's longest park %d us) in one JVM, ack=journal, 100-byte values, JDK HTTP/1.1 " +
                "client with keep-alive%n", Runtime.version(), Runtime.getRuntime().availableProcessors(),
                brokerParkUs, linkParkUs);
            latency(http, base, broker, options);
            throughput(http, base, options.get("clients").intValue(), options.get("seconds"), 1);
            throughput(http, base, options.get("clients").intValue(), options.get("seconds"), 100);
        }
        finally
        {
            IoUtil.delete(dataDir, true);
        }
    }

    private static void awaitHealthy(final HttpClient http, final String base) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (200 != http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode())
        {
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException("gateway never reached the broker");
            }
            Thread.sleep(50);
        }
    }

    private static HttpResponse<String> post(final HttpClient http, final String url, final String body)
        throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void latency(
        final HttpClient http, final String base, final Broker broker, final java.util.Map<String, Long> options)
        throws Exception
    {
        final int messages = options.get("messages").intValue();
        final int warmup = options.get("warmup").intValue();
        final long intervalNs = TimeUnit.MICROSECONDS.toNanos(options.get("interval-us"));
        final ByteBuffer frame = ProduceFrame.of("e2e", 0, AckLevel.JOURNAL, 100);
        final Histogram tcp =
            PacedPingClient.run(broker.port(), frame, ProduceFrame.RESPONSE_LENGTH, warmup, messages, intervalNs);
        final Histogram ipc =
            PacedIpcClient.run(broker.aeronDirectoryName(), frame, true, warmup, messages, intervalNs);
        final Histogram ipcUnrung =
            PacedIpcClient.run(broker.aeronDirectoryName(), frame, false, warmup, messages, intervalNs);
        final HttpRequest publish = HttpRequest.newBuilder(URI.create(base + "/api/v1/topics/gw/records"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"value\":\"" + VALUE + "\",\"partition\":0}")).build();
        final HttpRequest refused = HttpRequest.newBuilder(URI.create(base + "/api/v1/topics/gw/records"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"value\":\"" + VALUE + "\",\"partition\":-1}")).build();
        final HttpRequest health = HttpRequest.newBuilder(URI.create(base + "/health")).build();
        final Histogram[] interleaved = pacedHttp(http, new HttpRequest[] {health, refused, publish},
            new int[] {200, 400, 200}, warmup, messages, intervalNs);
        final Histogram httpFloor = interleaved[0];
        final Histogram refusedFloor = interleaved[1];
        final Histogram viaGateway = interleaved[2];
        System.out.printf(Locale.ROOT, "%nlatency, one request every %d us, %,d measured after %,d warm-up%n",
            TimeUnit.NANOSECONDS.toMicros(intervalNs), messages, warmup);
        EndToEndLatency.report(System.out, "direct TCP vs HTTP publish through the gateway", "TCP produce-ack us",
            tcp, "HTTP publish us", viaGateway);
        EndToEndLatency.report(System.out, "direct TCP vs the same produce over Aeron IPC as the gateway sends it " +
            "(offer, ring the doorbell, poll): the IPC hop without HTTP", "TCP produce-ack us", tcp,
            "IPC produce-ack us", ipc);
        EndToEndLatency.report(System.out, "IPC with the doorbell vs without it (a sleeping broker sees the " +
            "request at its next tick, the longest park)", "IPC rung us", ipc, "IPC unrung us", ipcUnrung);
        EndToEndLatency.report(System.out, "HTTP stack alone (GET /health, no broker) vs HTTP publish, sent " +
            "alternately on one schedule: the difference is the IPC hop to the broker and back", "HTTP /health us",
            httpFloor, "HTTP publish us", viaGateway);
        EndToEndLatency.report(System.out, "the same publish refused by the gateway itself (partition -1: parsed, " +
            "checked, answered 400 without the broker) vs HTTP publish, on the same schedule: the difference is the " +
            "hop alone", "HTTP refused us", refusedFloor, "HTTP publish us", viaGateway);
    }

    /**
     * Send the requests in turn on one schedule (a, b, a, b, ...), so each is measured under the same conditions
     * at the same time: this VM's noise drifts over seconds, which made two back-to-back runs incomparable.
     *
     * @return a histogram per request, {@code messages} each, after {@code warmup} each.
     */
    private static Histogram[] pacedHttp(
        final HttpClient http, final HttpRequest[] requests, final int[] statuses, final int warmup,
        final int messages, final long intervalNs) throws Exception
    {
        final Histogram[] histograms = new Histogram[requests.length];
        for (int r = 0; r < requests.length; r++)
        {
            histograms[r] = new Histogram(3);
        }
        final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
        for (int i = 0, total = (warmup + messages) * requests.length; i < total; i++)
        {
            final int which = i % requests.length;
            final HttpRequest request = requests[which];
            final long due = start + i * intervalNs;
            while (System.nanoTime() < due)
            {
                Thread.onSpinWait();
            }
            final HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            if (statuses[which] != response.statusCode())
            {
                throw new IllegalStateException(request.uri() + " answered " + response.statusCode());
            }
            final long latencyNs = System.nanoTime() - due;
            if (i >= warmup * requests.length)
            {
                histograms[which].recordValue(latencyNs);
            }
            if (latencyNs > PacedPingClient.MAX_BEHIND_NS)
            {
                throw new PacedPingClient.FellBehindException(i + 1);
            }
        }
        return histograms;
    }

    private static void throughput(
        final HttpClient http, final String base, final int clients, final long seconds, final int recordsPerRequest)
        throws Exception
    {
        final StringBuilder body = new StringBuilder("{\"records\":[");
        for (int i = 0; i < recordsPerRequest; i++)
        {
            body.append(i > 0 ? "," : "").append("{\"value\":\"").append(VALUE).append("\",\"partition\":0}");
        }
        final HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/topics/gw/records"))
            .POST(HttpRequest.BodyPublishers.ofString(body.append("]}").toString())).build();
        final AtomicLong ok = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        final List<CompletableFuture<Void>> loops = new ArrayList<>();
        for (int c = 0; c < clients; c++)
        {
            loops.add(CompletableFuture.runAsync(() ->
            {
                while (System.nanoTime() < end)
                {
                    try
                    {
                        final int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                        (200 == status ? ok : failed).incrementAndGet();
                    }
                    catch (final Exception ex)
                    {
                        failed.incrementAndGet();
                    }
                }
            }));
        }
        CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).join();
        System.out.printf(Locale.ROOT, "%nthroughput, %d clients for %d s, %d record(s) per request: " +
            "%,.0f requests/s, %,.0f records/s, %d failed%n", clients, seconds, recordsPerRequest,
            ok.get() / (double)seconds, ok.get() * recordsPerRequest / (double)seconds, failed.get());
    }
}
