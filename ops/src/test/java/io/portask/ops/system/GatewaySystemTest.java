package io.portask.ops.system;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.portask.client.Producer;
import io.portask.testsupport.BrokerProcess;
import io.portask.testsupport.RedisServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real gateway process in front of a real broker process, over Aeron IPC, driven over HTTP.
 */
class GatewaySystemTest
{
    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private BrokerProcess broker;
    private BrokerProcess gateway;
    private BrokerProcess second;

    @AfterEach
    void stop()
    {
        for (final BrokerProcess process : new BrokerProcess[]{ second, gateway, broker })
        {
            if (null != process)
            {
                process.close();
            }
        }
    }

    private HttpResponse<String> call(final BrokerProcess to, final String method, final String path,
        final String body, final String token) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to.port() + path))
            .timeout(Duration.ofSeconds(15))
            .method(method, null == body ? HttpRequest.BodyPublishers.noBody() :
            HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (null != token)
        {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> call(final String method, final String path, final String body) throws Exception
    {
        return call(gateway, method, path, body, null);
    }

    private void awaitHealth(final BrokerProcess to, final int status) throws Exception
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (call(to, "GET", "/health", null, null).statusCode() != status)
        {
            assertTrue(System.nanoTime() < deadline, "gateway health never became " + status);
            BrokerProcess.sleep(100);
        }
    }

    private static void assertError(final HttpResponse<String> response, final int status, final String error,
        final int code)
    {
        assertEquals(status, response.statusCode(), response.body());
        final JsonObject body = new JsonObject(response.body());
        assertEquals(error, body.getString("error"), response.body());
        assertEquals(code, body.getInteger("code"), response.body());
        assertTrue(!body.getString("message").isEmpty());
    }

    private void start(final String... gatewayProperties) throws Exception
    {
        startWith(new String[0], gatewayProperties);
    }

    private void startWith(final String[] brokerProperties, final String... gatewayProperties) throws Exception
    {
        broker = new BrokerProcess(dir.resolve("data"), brokerProperties).start();
        gateway = BrokerProcess.gateway(dir.resolve("data"), gatewayProperties).start();
        awaitHealth(gateway, 200);
    }

    @Test
    void shouldServeEveryRouteWithJsonErrors() throws Exception
    {
        start();
        assertEquals(201, call("POST", "/api/v1/topics", "{\"name\":\"web\",\"partitions\":3}").statusCode());
        assertError(call("POST", "/api/v1/topics", "{\"name\":\"web\",\"partitions\":3}"), 409,
            "TOPIC_ALREADY_EXISTS", 6);
        assertError(call("POST", "/api/v1/topics", "{\"name\":\"bad name\"}"), 400, "INVALID_REQUEST", 2);
        assertError(call("POST", "/api/v1/topics", "{not json"), 400, "INVALID_REQUEST", 2);
        assertError(call("POST", "/api/v1/topics/web/records", "{\"value\":\"" + "x".repeat(2 << 20) + "\"}"), 413,
            "MESSAGE_TOO_LARGE", 11);
        for (final String wrongType : new String[]{"{\"value\":12}", "{\"records\":[1]}", "{\"records\":5}",
            "{\"headers\":{\"h\":1}}", "{\"partition\":\"x\"}", "{\"key\":true}"})
        {
            assertError(call("POST", "/api/v1/topics/web/records", wrongType), 400, "INVALID_REQUEST", 2);
        }
        final JsonArray topics = new JsonObject(call("GET", "/api/v1/topics", null).body()).getJsonArray("topics");
        assertEquals("web", topics.getJsonObject(0).getString("name"));

        final int keyed = Producer.partitionFor("customer-42".getBytes(StandardCharsets.UTF_8), 3);
        final int other = (keyed + 1) % 3;
        final HttpResponse<String> published = call("POST", "/api/v1/topics/web/records",
            "{\"records\":[{\"key\":\"customer-42\",\"value\":\"one\",\"headers\":{\"trace\":\"t1\"}}," +
            "{\"key\":\"customer-42\",\"value\":\"two\"},{\"value\":\"three\",\"partition\":" + other + "}]}");
        assertEquals(200, published.statusCode(), published.body());
        final JsonArray offsets = new JsonObject(published.body()).getJsonArray("offsets");
        assertEquals(keyed, offsets.getJsonObject(0).getInteger("partition"), "same placement as the Java client");
        assertEquals(0L, offsets.getJsonObject(0).getLong("offset"));
        assertEquals(1L, offsets.getJsonObject(1).getLong("offset"));
        assertEquals(other, offsets.getJsonObject(2).getInteger("partition"));

        final JsonObject fetched = new JsonObject(call("GET",
            "/api/v1/topics/web/partitions/" + keyed + "/records?offset=1&limit=5", null).body());
        assertEquals(1, fetched.getJsonArray("records").size());
        assertEquals("two", fetched.getJsonArray("records").getJsonObject(0).getString("value"));
        assertEquals(2L, fetched.getLong("nextOffset"));
        final JsonObject first = new JsonObject(call("GET",
            "/api/v1/topics/web/partitions/" + keyed + "/records?offset=0&limit=1", null).body())
            .getJsonArray("records").getJsonObject(0);
        assertEquals("t1", first.getJsonObject("headers").getString("trace"));

        assertError(call("GET", "/api/v1/topics/web/partitions/" + keyed + "/records?offset=9", null), 416,
            "OFFSET_OUT_OF_RANGE", 4);
        assertError(call("GET", "/api/v1/topics/web/partitions/7/records", null), 404,
            "UNKNOWN_TOPIC_OR_PARTITION", 5);
        assertError(call("GET", "/api/v1/topics/web/partitions/x/records", null), 400, "INVALID_REQUEST", 2);
        assertError(call("GET", "/api/v1/topics/nope", null), 404, "UNKNOWN_TOPIC_OR_PARTITION", 5);
        assertError(call("GET", "/api/v1/nothing-here", null), 404, "NOT_FOUND", 0);

        try (io.portask.client.Admin admin = io.portask.client.Admin.connect(broker.bootstrap()))
        {
            final JsonArray connections = new JsonObject(call("GET", "/api/v1/connections", null).body())
                .getJsonArray("connections");
            final String listed = connections.encode();
            assertTrue(listed.contains("\"kind\":\"tcp\"") && listed.contains("127.0.0.1"), listed);
            assertTrue(listed.contains("\"kind\":\"ipc\"") && listed.contains("aeron:ipc session"), listed);
            assertEquals(connections.size(), admin.listConnections().size());
        }

        final JsonObject described = new JsonObject(call("GET", "/api/v1/topics/web", null).body());
        assertEquals(3, described.getJsonArray("partitions").size());
        final String metrics = call("GET", "/metrics", null).body();
        assertTrue(metrics.contains(
            "portask_records_appended_total{topic=\"web\",partition=\"" + keyed + "\"} 2"), metrics);
        assertTrue(metrics.contains("portask_gateway_requests_total{route=\"records.publish\",status=\"200\"} 1"),
            metrics);
        assertTrue(metrics.contains("portask_gateway_request_seconds_count"), metrics);
        assertError(call("POST", "/api/v1/admin/write-behind/pause", null), 403, "NOT_AUTHORIZED", 9);
        assertEquals(204, call("DELETE", "/api/v1/topics/web", null).statusCode());
        assertError(call("DELETE", "/api/v1/topics/web", null), 404, "UNKNOWN_TOPIC_OR_PARTITION", 5);
    }

    @Test
    void shouldSpeakCborAndKeepConsumerOffsets() throws Exception
    {
        start();
        final CBORMapper cbor = new CBORMapper();
        final HttpRequest create = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gateway.port() + "/api/v1/topics"))
            .header("content-type", "application/cbor").header("accept", "application/cbor")
            .POST(HttpRequest.BodyPublishers.ofByteArray(cbor.writeValueAsBytes(
            java.util.Map.of("name", "binary", "partitions", 2)))).build();
        final HttpResponse<byte[]> created = http.send(create, HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(201, created.statusCode());
        assertEquals("application/cbor", created.headers().firstValue("content-type").orElseThrow());
        assertEquals("binary", cbor.readTree(created.body()).get("name").asText());

        final HttpRequest missing = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gateway.port() + "/api/v1/topics/absent"))
            .header("accept", "application/cbor").GET().build();
        final HttpResponse<byte[]> error = http.send(missing, HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(404, error.statusCode());
        assertEquals(5, cbor.readTree(error.body()).get("code").asInt(), "errors come in CBOR too");

        assertEquals(200, call("POST", "/api/v1/topics/binary/records",
            "{\"records\":[{\"value\":\"a\",\"partition\":1},{\"value\":\"b\",\"partition\":1}]}").statusCode());
        assertEquals(-1L, new JsonObject(call("GET", "/api/v1/consumers/billing/offsets/binary/1", null).body())
            .getLong("offset"));
        assertEquals(200, call("POST", "/api/v1/consumers/billing/offsets",
            "{\"topic\":\"binary\",\"partition\":1,\"offset\":2}").statusCode());
        assertEquals(2L, new JsonObject(call("GET", "/api/v1/consumers/billing/offsets/binary/1", null).body())
            .getLong("offset"));
        assertError(call("POST", "/api/v1/consumers/billing/offsets", "{\"topic\":\"binary\",\"partition\":1," +
            "\"offset\":7}"), 416, "OFFSET_OUT_OF_RANGE", 4);
        assertError(call("POST", "/api/v1/consumers/billing/offsets", "{\"topic\":\"binary\"}"), 400,
            "INVALID_REQUEST", 2);
        final JsonObject openApi = new JsonObject(call("GET", "/api/v1/openapi.json", null).body());
        assertTrue(openApi.getJsonObject("paths").containsKey("/api/v1/consumers/{group}/offsets"));
    }

    @Test
    void shouldRequireTheTokenAndPauseWriteBehindThroughAdminRoutes() throws Exception
    {
        try (RedisServer redis = new RedisServer(dir.resolve("redis"), null)
            .start())
        {
            startWith(new String[]{ "-Dportask.dragonfly.host=127.0.0.1", "-Dportask.dragonfly.port=" + redis.port() },
                "-Dportask.gateway.token=s3cret");
            assertEquals(200, call(gateway, "GET", "/health", null, null).statusCode());
            assertError(call(gateway, "GET", "/api/v1/topics", null, null), 401, "NOT_AUTHORIZED", 9);
            assertError(call(gateway, "GET", "/metrics", null, "wrong"), 401, "NOT_AUTHORIZED", 9);
            assertError(call(gateway, "POST", "/api/v1/admin/write-behind/pause", null, null), 401,
                "NOT_AUTHORIZED", 9);
            assertEquals(201, call(gateway, "POST", "/api/v1/topics", "{\"name\":\"held\"}", "s3cret").statusCode());

            final HttpResponse<String> paused =
                call(gateway, "POST", "/api/v1/admin/write-behind/pause", null, "s3cret");
            assertEquals("write-behind paused", new JsonObject(paused.body()).getString("state"), paused.body());
            assertEquals(200, call(gateway, "POST", "/api/v1/topics/held/records",
                "{\"records\":[{\"value\":\"a\"},{\"value\":\"b\"}]}", "s3cret").statusCode());
            BrokerProcess.sleep(300);
            assertEquals(2L, writeBehindLag("held"), "paused: nothing is written behind, the journal accepts");

            final HttpResponse<String> resumed = call(gateway, "POST", "/api/v1/admin/write-behind/resume", null,
                "s3cret");
            assertEquals("write-behind running", new JsonObject(resumed.body()).getString("state"));
            final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (0 != writeBehindLag("held"))
            {
                assertTrue(System.nanoTime() < deadline, "lag did not drain after resume");
                BrokerProcess.sleep(100);
            }
        }
    }

    private long writeBehindLag(final String topic)
    {
        return io.portask.ops.CountersFile.read(dir.resolve("data/aeron").toFile())
            .getOrDefault("write-behind lag records: " + topic + "/0", -1L);
    }

    @Test
    void shouldFailFastWhileTheBrokerIsGoneAndRecoverWhenItIsBack() throws Exception
    {
        start();
        assertEquals(201, call("POST", "/api/v1/topics", "{\"name\":\"again\"}").statusCode());
        second = BrokerProcess.gateway(dir.resolve("data")).start();
        awaitHealth(second, 200);
        assertEquals(200, call(second, "GET", "/api/v1/topics/again", null, null).statusCode(),
            "a second gateway serves the same broker");

        final JsonObject health = new JsonObject(call("GET", "/health", null).body());
        assertEquals(false, health.getJsonObject("broker").getJsonObject("storage").getJsonObject("writeBehind")
            .getBoolean("enabled"));
        assertTrue(health.getJsonObject("broker").getJsonObject("storage").containsKey("memoryBytesHeld"));

        second.stop();
        second = BrokerProcess.gateway(dir.resolve("data")).start();
        awaitHealth(second, 200);
        assertEquals(200, call(second, "GET", "/api/v1/topics/again", null, null).statusCode(),
            "a restarted gateway attaches again");

        final int port = broker.port();
        broker.kill();
        awaitHealth(gateway, 503);
        final long started = System.nanoTime();
        assertError(call("POST", "/api/v1/topics/again/records", "{\"value\":\"x\"}"), 503, "BROKER_UNAVAILABLE", 13);
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(1).toNanos(), "fails fast, does not hang");

        broker = new BrokerProcess(dir.resolve("data"), port).start();
        awaitHealth(gateway, 200);
        final HttpResponse<String> after = call("POST", "/api/v1/topics/again/records", "{\"value\":\"after\"}");
        assertEquals(200, after.statusCode(), after.body());
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (0 == doorbellRings()) // the gateway finds the new doorbell at its next heartbeat, and rings it
        {
            assertTrue(System.nanoTime() < deadline, "the gateway never rang the restarted broker's doorbell");
            BrokerProcess.sleep(100);
        }
    }

    @Test
    void shouldRingTheDoorbellOfABrokerThatSleepsWhenIdle() throws Exception
    {
        // the longest sleep 100 ms: without the doorbell each request would wait for the tick
        startWith(new String[]{ "-Dportask.idle.max.park.us=100000" });
        assertEquals(201, call("POST", "/api/v1/topics", "{\"name\":\"bell\"}").statusCode());
        for (int i = 0; i < 20; i++)
        {
            assertEquals(200, call("POST", "/api/v1/topics/bell/records", "{\"value\":\"" + i + "\"}").statusCode());
        }
        final String metrics = call("GET", "/metrics", null).body();
        assertTrue(metrics.contains("portask_ipc_reader_asleep "), metrics);
        assertTrue(doorbellRings() > 0, "the broker was rung awake");
    }

    private long doorbellRings() throws Exception
    {
        for (final String line : call("GET", "/metrics", null).body().split("\n"))
        {
            if (line.startsWith("portask_ipc_doorbell_rings_total "))
            {
                return Long.parseLong(line.substring(line.indexOf(' ') + 1).trim());
            }
        }
        throw new AssertionError("no portask_ipc_doorbell_rings_total in /metrics");
    }
}
