package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.Consumer;
import io.portask.client.Producer;
import io.portask.client.TopicPartition;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import io.portask.testsupport.FreePorts;
import io.portask.testsupport.RedisServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Grafana dashboard ({@code ops/grafana/portask.json}) against what {@code /metrics} really serves: with a
 * broker writing behind to a real redis-server, a gateway, traffic and a consumer group, every metric any panel's
 * expression names is among those served (so a renamed counter breaks this test, not a dashboard at 3 am).
 */
class GrafanaDashboardTest
{
    private static final Pattern METRIC = Pattern.compile("\\b(portask_[a-z0-9_]+)\\b");

    @TempDir
    Path dir;

    @Test
    void shouldNameOnlyMetricsThatMetricsServes() throws Exception
    {
        try (RedisServer redis = new RedisServer(dir.resolve("redis"), null).start();
            BrokerProcess broker = new BrokerProcess(dir.resolve("data"), FreePorts.next(),
                "-Dportask.dragonfly.host=127.0.0.1", "-Dportask.dragonfly.port=" + redis.port()).start();
            BrokerProcess gateway = BrokerProcess.gateway(dir.resolve("data")).start();
            HttpClient http = HttpClient.newHttpClient())
        {
            try (Admin admin = Admin.connect(broker.bootstrap());
                Producer producer = Producer.builder(broker.bootstrap()).build();
                Consumer consumer = Consumer.builder(broker.bootstrap()).group("dash").build())
            {
                admin.createTopic("dash", 1, StorageKind.JOURNAL);
                producer.sendSync("dash", "k", "v");
                final TopicPartition partition = new TopicPartition("dash", 0);
                consumer.assign(partition);
                consumer.commit(partition, 0);
            }
            final String base = "http://127.0.0.1:" + gateway.port();
            http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/topics")).build(),
                HttpResponse.BodyHandlers.discarding());
            final Set<String> served = new TreeSet<>();
            final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!served.contains("portask_group_lag") && System.nanoTime() < deadline)
            {
                served.clear();
                http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body().lines().filter(line -> !line.startsWith("#"))
                    .map(line -> line.split("[{ ]")[0]).forEach(served::add);
                Thread.sleep(200);
            }

            final String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("# TYPE portask_produce_ack_seconds histogram\n") &&
                metrics.contains("portask_produce_ack_seconds_bucket{le=\"+Inf\"} 1\n") &&
                metrics.contains("portask_produce_ack_seconds_count 1\n"), "the produce's ack is timed: " + metrics);

            final JsonObject dashboard = new JsonObject(Files.readString(
                Path.of(System.getProperty("portask.root"), "ops", "grafana", "portask.json")));
            final Set<String> named = new TreeSet<>();
            for (final Object panel : dashboard.getJsonArray("panels"))
            {
                for (final Object target : ((JsonObject)panel).getJsonArray("targets", new JsonArray()))
                {
                    final Matcher metric = METRIC.matcher(((JsonObject)target).getString("expr"));
                    while (metric.find())
                    {
                        named.add(metric.group(1));
                    }
                }
            }
            assertFalse(named.isEmpty());
            final Set<String> missing = new TreeSet<>(named);
            missing.removeAll(served);
            assertTrue(missing.isEmpty(), "named by the dashboard, not served by /metrics: " + missing +
                "\nserved: " + served);
        }
    }
}
