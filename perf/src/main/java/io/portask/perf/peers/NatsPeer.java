package io.portask.perf.peers;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.portask.testsupport.FreePorts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * NATS JetStream on Debian's nats-server, when installed: one file-storage stream, publishes acknowledged by
 * JetStream, driven by the jnats client.
 */
final class NatsPeer implements Peer
{
    private static final String SUBJECT = "bench";
    private int port;

    public String system()
    {
        return "NATS " + PeerProcess.output("nats-server", "--version").replace("nats-server: v", "") + " JetStream";
    }

    public String unavailable()
    {
        return PeerProcess.onPath("nats-server") ? null :
            "nats-server is not installed (apt-get install nats-server): skipped";
    }

    public List<String> modes()
    {
        return List.of("file storage");
    }

    public AutoCloseable start(final Path dir) throws Exception
    {
        port = FreePorts.next();
        Files.createDirectories(dir.resolve("jetstream"));
        final PeerProcess server = PeerProcess.start("nats-server", List.of("nats-server", "-a", "127.0.0.1", "-p",
            Integer.toString(port), "-js", "-sd", dir.resolve("jetstream").toString()), dir.resolve("nats.log"), port,
            Duration.ofSeconds(20));
        final Connection connection = connect();
        try
        {
            connection.jetStreamManagement().addStream(StreamConfiguration.builder().name("BENCH")
                .subjects(SUBJECT).storageType(StorageType.File).build());
        }
        finally
        {
            close(connection);
        }
        return server;
    }

    private Connection connect() throws Exception
    {
        return Nats.connect("nats://127.0.0.1:" + port);
    }

    public Client client(final String mode, final boolean throughput) throws Exception
    {
        final Connection connection = connect();
        final JetStream jetStream = connection.jetStream();
        return new Client()
        {
            public void send(final byte[] value) throws Exception
            {
                jetStream.publish(SUBJECT, value);
            }

            public void sendAsync(final byte[] value, final Consumer<Throwable> onAck)
            {
                jetStream.publishAsync(SUBJECT, value).whenComplete((ack, error) -> onAck.accept(error));
            }

            public void close()
            {
                NatsPeer.close(connection);
            }
        };
    }

    private static void close(final Connection connection)
    {
        try
        {
            connection.close();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
