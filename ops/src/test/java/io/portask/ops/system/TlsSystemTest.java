package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.ClientOptions;
import io.portask.client.ClientTls;
import io.portask.client.Consumer;
import io.portask.client.ConsumerRecord;
import io.portask.client.PortaskException;
import io.portask.client.Producer;
import io.portask.client.TopicPartition;
import io.portask.ops.PortaskCommands;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import io.portask.testsupport.FreePorts;
import io.portask.testsupport.TestTls;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS on a real broker process, beside its plaintext port, with each engine: the SDK and the CLI produce and
 * consume over TLS (and mutual TLS); a client that does not trust the broker's CA, a client certificate from an
 * unknown CA and a plaintext client on the TLS port are refused, the refused handshakes counted.
 */
class TlsSystemTest
{
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = { "openssl", "jdk" })
    void shouldServeTlsBesidePlaintextAndRefuseWhatItMustNot(final String engine) throws Exception
    {
        final TestTls tls = TestTls.writeTo(dir.resolve("tls"));
        final int tlsPort = FreePorts.next();
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data"),
            tls.brokerProperties(tlsPort, "-Dportask.tls.engine=" + engine)).start())
        {
            assertTrue(broker.log().contains("listening for TLS on /127.0.0.1:" + tlsPort + " (" +
                ("openssl".equals(engine) ? "OpenSSL (BoringSSL" : "JDK ")), broker.log());
            final ClientOptions secure = ClientOptions.of("localhost:" + tlsPort).withTls(ClientTls.trusting(tls.ca()));
            try (Admin admin = Admin.connect(secure);
                Producer producer = Producer.builder(secure).build();
                Consumer consumer = Consumer.builder(secure).build())
            {
                admin.createTopic("secret", 1, StorageKind.JOURNAL);
                producer.send("secret", "k", "over TLS").get();
                consumer.assign(new TopicPartition("secret", 0));
                final List<ConsumerRecord> records = BrokerSystemTest.pollUntil(consumer, 1);
                assertEquals("over TLS", records.get(0).valueAsString());
            }
            try (Admin plain = Admin.connect(broker.bootstrap()))
            {
                assertEquals("secret", plain.listTopics().get(0).name(), "plaintext beside TLS");
            }
            try (Admin mutual = Admin.connect(secure.withTls(
                ClientTls.trusting(tls.ca()).withCertificate(tls.clientCertificate(), tls.clientKey()))))
            {
                assertEquals(1, mutual.listTopics().size(), "mutual TLS with a certificate from the broker's CA");
            }

            final PortaskException untrusted = assertThrows(PortaskException.class,
                () -> Admin.connect(secure.withTls(ClientTls.trusting(tls.rogueCa()))).close());
            assertEquals(ErrorCode.NETWORK_ERROR, untrusted.code());
            assertTrue(untrusted.getMessage().contains("TLS"), untrusted.getMessage());
            assertThrows(PortaskException.class, () ->
            {
                try (Admin rogue = Admin.connect(secure.withRequestTimeout(Duration.ofSeconds(5)).withTls(
                    ClientTls.trusting(tls.ca()).withCertificate(tls.rogueClientCertificate(), tls.rogueClientKey()))))
                {
                    rogue.listTopics();
                }
            }, "a client certificate from an unknown CA");
            assertThrows(PortaskException.class, () ->
            {
                try (Admin plainOnTls = Admin.connect(ClientOptions.of("localhost:" + tlsPort)
                    .withRequestTimeout(Duration.ofSeconds(3))))
                {
                    plainOnTls.listTopics();
                }
            }, "plaintext on the TLS port");

            final Path clientConfig = dir.resolve("client.properties");
            Files.writeString(clientConfig, "tls.ca=" + tls.ca() + "\n");
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(0, PortaskCommands.run(new String[]{ "topics", "list", "--bootstrap", "localhost:" + tlsPort,
                "--client-config", clientConfig.toString() }, InputStream.nullInputStream(),
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("secret"), "the CLI over TLS");

            if ("openssl".equals(engine))
            {
                assertGatewayServesHttps(broker, tls);
            }

            final ByteArrayOutputStream stat = new ByteArrayOutputStream();
            PortaskCommands.run(new String[]{ "stat", "--data-dir", broker.dataDir().toString() },
                InputStream.nullInputStream(), new PrintStream(stat, true, StandardCharsets.UTF_8), System.err);
            assertTrue(stat.toString(StandardCharsets.UTF_8)
                .matches("(?s).*authentication failures: TLS handshake\\s+[2-9]\\n.*"), stat.toString());
        }
    }

    /**
     * The gateway's HTTP listener over TLS with the same kind of PEM files: HTTPS answers, plain HTTP does not.
     */
    private static void assertGatewayServesHttps(final BrokerProcess broker, final TestTls tls) throws Exception
    {
        try (BrokerProcess gateway = BrokerProcess.gateway(broker.dataDir(),
            "-Dportask.gateway.tls.certificate=" + tls.brokerCertificate(),
            "-Dportask.gateway.tls.key=" + tls.brokerKey()).start())
        {
            final KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            try (InputStream ca = Files.newInputStream(tls.ca()))
            {
                trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(ca));
            }
            final TrustManagerFactory trustManagers =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            final SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(null, trustManagers.getTrustManagers(), null);
            try (HttpClient https = HttpClient.newBuilder().sslContext(context).build();
                HttpClient plain = HttpClient.newHttpClient())
            {
                final HttpResponse<String> health = https.send(HttpRequest.newBuilder(
                    URI.create("https://localhost:" + gateway.port() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
                assertEquals(200, health.statusCode(), health.body());
                assertThrows(IOException.class, () -> plain.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + gateway.port() + "/health")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString()), "plain HTTP on the HTTPS port");
            }
        }
    }
}
