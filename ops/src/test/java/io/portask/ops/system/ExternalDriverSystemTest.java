package io.portask.ops.system;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.portask.client.Admin;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tuned-host layout: the Aeron media driver runs on its own (here in the test JVM), and the broker and the
 * gateway both attach to it instead of the broker embedding one.
 */
class ExternalDriverSystemTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRunBrokerAndGatewayOnAnExternalMediaDriver() throws Exception
    {
        final Path aeronDir = dir.resolve("aeron-external");
        try (MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(aeronDir.toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy())
            .ipcTermBufferLength(16 * 1024 * 1024)
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
            BrokerProcess broker = new BrokerProcess(dir.resolve("data"), "-Dportask.aeron.embedded=false",
                "-Dportask.aeron.dir=" + aeronDir).start();
            BrokerProcess gateway = BrokerProcess.gateway(dir.resolve("data"),
                "-Dportask.aeron.dir=" + aeronDir).start())
        {
            assertTrue(broker.log().contains("external driver"), broker.log());
            assertTrue(null != driver.aeronDirectoryName());
            try (Admin admin = Admin.connect(broker.bootstrap()))
            {
                admin.createTopic("ext", 1, StorageKind.JOURNAL);
            }
            final HttpClient http = HttpClient.newHttpClient();
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            HttpResponse<String> topic;
            do
            {
                BrokerProcess.sleep(100);
                topic = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() +
                    "/api/v1/topics/ext")).build(), HttpResponse.BodyHandlers.ofString());
            }
            while (200 != topic.statusCode() && System.nanoTime() < deadline);
            assertEquals(200, topic.statusCode(), topic.body());
        }
    }
}
