package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.ops.PortaskCommands;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Config reload on a real broker process: a new default retention in the file reaches a running broker through
 * {@code portask config reload} (which checks the file, then sends SIGHUP) and shows in DescribeTopic; a key that
 * cannot change while running is reported as needing a restart; a bad file is refused by the command with the
 * key named, and by the broker (SIGHUP sent anyway) with nothing changed. Through the gateway's admin route: the
 * report names what applied (idle strategy, log levels) and what needs a restart, a bad file is a 400 naming the
 * key, new log levels take effect; the gateway's own token changes on its SIGHUP.
 */
class ConfigReloadSystemTest
{
    @TempDir
    Path dir;

    @Test
    void shouldApplyReloadableKeysReportTheRestAndRefuseABadFile() throws Exception
    {
        final Path config = dir.resolve("portask.properties");
        Files.writeString(config, "portask.retention.ms=7d\n");
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data"), "-Dportask.config.file=" + config).start();
            Admin admin = Admin.connect(broker.bootstrap()))
        {
            admin.createTopic("r", 1, StorageKind.JOURNAL);
            assertEquals(Duration.ofDays(7).toMillis(), admin.describeTopic("r").retention().ms());

            Files.writeString(config, "portask.retention.ms=1h\nportask.memory.total.bytes=2g\n");
            final Cli reload = cli("config", "reload", "--config", config.toString(), "--data-dir",
                broker.dataDir().toString());
            assertEquals(0, reload.status(), reload.err());
            await(() -> Duration.ofHours(1).toMillis() == admin.describeTopic("r").retention().ms(),
                "the new default retention in effect");
            await(() -> log(broker).contains("needs a restart: portask.memory.total.bytes"),
                "the restart-only key named");

            Files.writeString(config, "portask.retention.ms=soon\n");
            final Cli refused = cli("config", "reload", "--config", config.toString(), "--data-dir",
                broker.dataDir().toString());
            assertEquals(2, refused.status());
            assertTrue(refused.err().contains("portask.retention.ms"), refused.err());
            new ProcessBuilder("kill", "-HUP", Long.toString(broker.pid())).start().waitFor();
            await(() -> log(broker).contains("config reload refused, nothing changed"), "the broker refuses it too");
            assertEquals(Duration.ofHours(1).toMillis(), admin.describeTopic("r").retention().ms());
        }
    }

    @Test
    void shouldReloadThroughTheGatewaysAdminRouteAndTheGatewaysOwnTokenOnHangUp() throws Exception
    {
        final Path brokerConfig = dir.resolve("broker.properties");
        Files.writeString(brokerConfig, "portask.idle.strategy=backoff\n");
        final Path gatewayConfig = dir.resolve("gateway.properties");
        Files.writeString(gatewayConfig, "portask.gateway.token=first\n");
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data"), "-Dportask.config.file=" + brokerConfig)
            .start();
            BrokerProcess gateway = BrokerProcess.gateway(dir.resolve("data"), "-Dportask.config.file=" + gatewayConfig)
            .start())
        {
            await(() -> 200 == status(call(gateway, "GET", "/api/v1/topics", "first")), "the gateway up");

            Files.writeString(brokerConfig, "portask.idle.strategy=yielding\nportask.retention.ms=2h\n" +
                "portask.log.levels=io.portask.ops.LiveSettings=warn\nportask.memory.total.bytes=2g\n");
            final HttpResponse<String> applied = call(gateway, "POST", "/api/v1/admin/config/reload", "first");
            assertEquals(200, applied.statusCode(), applied.body());
            final String state = new JsonObject(applied.body()).getString("state");
            assertTrue(state.contains("idle strategy YIELDING"), state);
            assertTrue(state.contains("log level info, io.portask.ops.LiveSettings=warn"), state);
            assertTrue(state.contains("portask.retention.ms=7200000"), state);
            assertTrue(state.contains("needs a restart: portask.memory.total.bytes"), state);
            assertFalse(log(broker).contains("config reload: applied"), "LiveSettings at WARN: no INFO report");

            Files.writeString(brokerConfig, "portask.idle.strategy=fast\n");
            final HttpResponse<String> refused = call(gateway, "POST", "/api/v1/admin/config/reload", "first");
            assertEquals(400, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("portask.idle.strategy"), refused.body());
            assertTrue(log(broker).contains("config reload refused, nothing changed"), "a refusal is logged (WARN+)");

            Files.writeString(brokerConfig, "portask.idle.strategy=yielding\nportask.retention.ms=3h\n");
            assertEquals(200, call(gateway, "POST", "/api/v1/admin/config/reload", "first").statusCode());
            assertTrue(log(broker).contains("config reload: applied"), "back at INFO: the report is logged");

            Files.writeString(gatewayConfig, "portask.gateway.token=second\n");
            new ProcessBuilder("kill", "-HUP", Long.toString(gateway.pid())).start().waitFor();
            await(() -> 200 == status(call(gateway, "GET", "/api/v1/topics", "second")), "the new token");
            assertEquals(401, call(gateway, "GET", "/api/v1/topics", "first").statusCode());
        }
    }

    private static int status(final HttpResponse<String> response)
    {
        return null == response ? -1 : response.statusCode();
    }

    /**
     * @return the answer, or null when the gateway does not answer (yet).
     */
    private static HttpResponse<String> call(final BrokerProcess to, final String method, final String path,
        final String token)
    {
        try (HttpClient http = HttpClient.newHttpClient())
        {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to.port() + path))
                .timeout(Duration.ofSeconds(15)).header("Authorization", "Bearer " + token)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (final java.io.IOException ex)
        {
            return null;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static String log(final BrokerProcess broker)
    {
        try
        {
            return broker.log();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
            Thread.sleep(50);
        }
    }

    private record Cli(int status, String out, String err)
    {
    }

    private static Cli cli(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status = PortaskCommands.run(args, InputStream.nullInputStream(),
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Cli(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
