package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.ClientOptions;
import io.portask.client.ClientTls;
import io.portask.client.Consumer;
import io.portask.client.PortaskException;
import io.portask.client.Producer;
import io.portask.client.TopicListing;
import io.portask.client.TopicPartition;
import io.portask.ops.PortaskCommands;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import io.portask.testsupport.FreePorts;
import io.portask.testsupport.TestTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ACLs on a real broker process: a super user sets topics up; a writer may produce, a reader only consume; what a
 * principal may not do is refused NOT_AUTHORIZED naming who, what and which, writes nothing, and is counted; a
 * reader lists only what it may describe; a rule added while a connection is open applies to it within a second;
 * the gateway acts for each HTTP caller as the principal of its token; a client certificate's CN is a principal.
 */
class AclSystemTest
{
    @TempDir
    Path dir;

    @Test
    void shouldAllowWhatTheRulesAllowAndNothingElse() throws Throwable
    {
        final Path data = dir.resolve("data");
        for (final String user : List.of("admin", "writer", "reader"))
        {
            cli(user + "-pw\n", "users", "add", user, "--data-dir", data.toString());
        }
        assertEquals(0, cli("", "acls", "add", "allow", "writer", "produce", "topic", "orders", "--data-dir",
            data.toString()));
        cli("", "acls", "add", "allow", "reader", "consume", "topic-prefix", "ord", "--data-dir", data.toString());
        cli("", "acls", "add", "allow", "reader", "consume", "group", "billing", "--data-dir", data.toString());
        assertEquals(2, cli("", "acls", "add", "allow", "reader", "read", "topic", "orders", "--data-dir",
            data.toString()), "an unknown operation is a usage error");

        final TestTls tls = TestTls.writeTo(dir.resolve("tls"));
        final int tlsPort = FreePorts.next();
        try (BrokerProcess broker = new BrokerProcess(data, tls.brokerProperties(tlsPort,
            "-Dportask.security.auth.required=true", "-Dportask.security.super.users=admin")).start())
        {
            final ClientOptions plain = ClientOptions.of(broker.bootstrap()).withRequestTimeout(Duration.ofSeconds(5));
            try (Admin admin = Admin.connect(plain.withScram("admin", "admin-pw")))
            {
                admin.createTopic("orders", 1, StorageKind.JOURNAL);
                admin.createTopic("secrets", 1, StorageKind.JOURNAL);
            }
            final TopicPartition orders = new TopicPartition("orders", 0);
            try (Producer writer = Producer.builder(plain.withScram("writer", "writer-pw")).build();
                Producer reader = Producer.builder(plain.withScram("reader", "reader-pw")).build();
                Admin readerAdmin = Admin.connect(plain.withScram("reader", "reader-pw"));
                Consumer consumer = Consumer.builder(plain.withScram("reader", "reader-pw")).group("billing").build())
            {
                writer.sendSync("orders", "k", "allowed");
                denied(() -> reader.sendSync("orders", "k", "not allowed"),
                    "principal reader may not produce topic orders");
                // the producer learns the partition count first: a topic it may not touch is refused right there
                denied(() -> writer.sendSync("secrets", "k", "no"), "principal writer may not describe topic secrets");
                assertEquals(1, readerAdmin.offsets(orders)[1], "nothing written by the refused");

                consumer.assign(orders);
                assertEquals("allowed", BrokerSystemTest.pollUntil(consumer, 1).get(0).valueAsString());
                consumer.commit();
                denied(() -> readerAdmin.deleteTopic("orders"), "principal reader may not delete topic orders");
                denied(() -> readerAdmin.createTopic("mine", 1, StorageKind.JOURNAL),
                    "principal reader may not create topic mine");
                assertEquals(List.of("orders"), readerAdmin.listTopics().stream().map(TopicListing::name).toList(),
                    "only what it may describe");

                cli("", "acls", "add", "deny", "writer", "produce", "topic", "orders", "--data-dir", data.toString());
                awaitDenied(() -> writer.sendSync("orders", "k", "after the deny"));
                cli("", "acls", "remove", "deny", "writer", "produce", "topic", "orders", "--data-dir",
                    data.toString());
                awaitAllowed(() -> writer.sendSync("orders", "k", "allowed again"));
            }
            assertGatewayActsForItsCallers(broker, data);
            try (Producer certified = Producer.builder(ClientOptions.of("localhost:" + tlsPort).withTls(
                ClientTls.trusting(tls.ca()).withCertificate(tls.clientCertificate(), tls.clientKey()))).build())
            {
                certified.sendSync("orders", "k", "as CN=writer");
                denied(() -> certified.sendSync("secrets", "k", "no"),
                    "principal writer may not describe topic secrets");
            }
            final ByteArrayOutputStream stat = new ByteArrayOutputStream();
            PortaskCommands.run(new String[]{ "stat", "--data-dir", data.toString() }, System.in,
                new PrintStream(stat, true, StandardCharsets.UTF_8), System.err);
            final String line = stat.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.startsWith("errors: NOT_AUTHORIZED ")).findFirst().orElseThrow();
            assertTrue(Long.parseLong(line.substring("errors: NOT_AUTHORIZED".length()).trim()) >= 5, line);
        }
    }

    /**
     * The gateway maps each caller's bearer token to its principal and the broker applies that principal's rules;
     * a caller without a token is ANONYMOUS (nothing allowed), one with an unknown token is refused.
     */
    private static void assertGatewayActsForItsCallers(final BrokerProcess broker, final Path data) throws Exception
    {
        final String writerToken = capture("tokens", "create", "writer", "--data-dir", data.toString()).trim();
        final String readerToken = capture("tokens", "create", "reader", "--data-dir", data.toString()).trim();
        try (BrokerProcess gateway = BrokerProcess.gateway(data).start();
            HttpClient http = HttpClient.newHttpClient())
        {
            final String base = "http://127.0.0.1:" + gateway.port();
            final String record = "{\"records\":[{\"key\":\"k\",\"value\":\"over HTTP\"}]}";
            assertEquals(403, post(http, base + "/api/v1/topics/orders/records", readerToken, record).statusCode());
            final HttpResponse<String> published = post(http, base + "/api/v1/topics/orders/records", writerToken,
                record);
            assertEquals(200, published.statusCode(), published.body());
            final HttpResponse<String> denied = post(http, base + "/api/v1/topics/secrets/records", writerToken,
                record);
            assertEquals(403, denied.statusCode(), denied.body());
            assertTrue(denied.body().contains("principal writer may not"), denied.body());
            assertEquals("{\"topics\":[{\"name\":\"orders\",\"partitions\":1,\"storage\":\"journal\"}]}",
                get(http, base + "/api/v1/topics", readerToken).body(), "the reader lists only what it may describe");
            assertEquals("{\"topics\":[]}", get(http, base + "/api/v1/topics", null).body(),
                "ANONYMOUS may see nothing");
            assertEquals(401, get(http, base + "/api/v1/topics", "ptk_made-up").statusCode());

            final CompletableFuture<String> answer = new CompletableFuture<>();
            final WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" +
                gateway.port() + "/ws?token=" + readerToken), new WebSocket.Listener()
                {
                    public CompletionStage<?> onText(final WebSocket ws, final CharSequence data, final boolean last)
                    {
                        answer.complete(data.toString());
                        return null;
                    }
                }).join();
            socket.sendText("{\"op\":\"publish\",\"topic\":\"orders\",\"records\":[{\"value\":\"x\"}],\"id\":1}",
                true).join();
            final String frame = answer.get(10, TimeUnit.SECONDS);
            assertTrue(frame.contains("\"code\":9") && frame.contains("principal reader may not produce"), frame);
            socket.abort();
        }
    }

    private static HttpResponse<String> post(
        final HttpClient http, final String url, final String token, final String body) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
            .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(final HttpClient http, final String url, final String token)
        throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (null != token)
        {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String capture(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        PortaskCommands.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true,
            StandardCharsets.UTF_8), System.err);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void denied(final Executable action, final String message)
    {
        final PortaskException refused = assertThrows(PortaskException.class, action);
        assertEquals(ErrorCode.NOT_AUTHORIZED, refused.code(), refused.getMessage());
        assertEquals("NOT_AUTHORIZED (9): " + message, refused.getMessage());
    }

    private static void awaitDenied(final Executable action) throws Throwable
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (true)
        {
            try
            {
                action.execute();
                assertTrue(System.nanoTime() < deadline, "still allowed");
                Thread.sleep(50);
            }
            catch (final PortaskException ex)
            {
                assertEquals(ErrorCode.NOT_AUTHORIZED, ex.code(), ex.getMessage());
                return;
            }
        }
    }

    private static void awaitAllowed(final Executable action) throws Throwable
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (true)
        {
            try
            {
                action.execute();
                return;
            }
            catch (final PortaskException ex)
            {
                assertTrue(System.nanoTime() < deadline, "still denied: " + ex.getMessage());
                Thread.sleep(50);
            }
        }
    }

    private static int cli(final String stdin, final String... args)
    {
        return PortaskCommands.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            System.out, System.err);
    }
}
