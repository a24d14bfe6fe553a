package io.portask.perf.peers;

import io.portask.client.Admin;
import io.portask.client.ClientIdle;
import io.portask.client.Producer;
import io.portask.client.TopicPartition;
import io.portask.perf.JvmFlags;
import io.portask.perf.load.ProduceFrame;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.FreePorts;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Portask itself, run like the peers: a broker in a process of its own (the launcher's JVM flags, shared threading,
 * backoff idling, a journal topic), driven by the client SDK's Producer.
 */
final class PortaskPeer implements Peer
{
    private static final TopicPartition TOPIC = new TopicPartition("bench", 0);
    /** Raw Produce frames on a socket, one in flight: what the broker costs without the SDK's threads. */
    private static final String RAW = "ack=journal, raw frames, no SDK";
    /** The SDK with a spinning client: sendSync ships and reads its answer on the caller's thread. */
    private static final String SPINNING = "ack=journal, SDK sendSync, client idle busy-spin";
    /** The same, backing off: on a host with no core to spare for a spinning client, it keeps the broker's. */
    private static final String BACKING_OFF = "ack=journal, SDK sendSync, client idle backoff";
    private int port;

    public String system()
    {
        return "Portask 0.1.0";
    }

    private Client rawClient() throws IOException
    {
        final SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        final ProduceFrame frames = new ProduceFrame(TOPIC.topic(), 64 * 1024);
        final ByteBuffer answer = ByteBuffer.allocateDirect(ProduceFrame.RESPONSE_LENGTH);
        final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
        return new Client()
        {
            public void send(final byte[] bytes) throws IOException
            {
                value.putBytes(0, bytes);
                final ByteBuffer frame = frames.encode(1, TOPIC.partition(), AckLevel.JOURNAL, value, bytes.length);
                while (frame.hasRemaining())
                {
                    channel.write(frame);
                }
                answer.clear();
                while (answer.hasRemaining())
                {
                    if (channel.read(answer) < 0)
                    {
                        throw new EOFException("broker closed the connection");
                    }
                }
            }

            public void sendAsync(final byte[] bytes, final Consumer<Throwable> onAck)
            {
                throw new UnsupportedOperationException("raw frames are measured one in flight only");
            }

            public void close()
            {
                try
                {
                    channel.close();
                }
                catch (final IOException ignore)
                {
                    // closing
                }
            }
        };
    }

    public String unavailable()
    {
        return null;
    }

    public List<String> modes()
    {
        return List.of("ack=journal", SPINNING, BACKING_OFF, RAW);
    }

    public AutoCloseable start(final Path dir) throws Exception
    {
        port = FreePorts.next();
        final List<String> command = new ArrayList<>();
        command.add(PeerProcess.java());
        command.addAll(JvmFlags.flags());
        command.addAll(List.of("-Xmx1g", "-Dportask.broker.port=" + port, "-Dportask.data.dir=" + dir.resolve("data"),
            "-Dportask.threading.mode=shared", "-Dportask.idle.strategy=backoff",
            "-cp", System.getProperty("java.class.path"), "io.portask.ops.Portask", "broker"));
        final PeerProcess broker = PeerProcess.start("portask broker", command, dir.resolve("broker.log"), port,
            Duration.ofSeconds(60));
        try (Admin admin = Admin.connect("127.0.0.1:" + port))
        {
            admin.createTopic(TOPIC.topic(), 1, StorageKind.JOURNAL);
        }
        return broker;
    }

    public Client client(final String mode, final boolean throughput) throws IOException
    {
        if (RAW.equals(mode))
        {
            return rawClient();
        }
        final ClientIdle idle = SPINNING.equals(mode) ? ClientIdle.BUSY_SPIN :
            BACKING_OFF.equals(mode) ? ClientIdle.BACKOFF : ClientIdle.BLOCKING;
        final boolean spinning = ClientIdle.BLOCKING != idle;
        final Producer producer = Producer.builder("127.0.0.1:" + port).ackLevel(AckLevel.JOURNAL)
            .lingerMs(throughput ? 1 : 0).batchBytes(16 * 1024).idle(idle).build();
        return new Client()
        {
            public void send(final byte[] value) throws Exception
            {
                if (spinning)
                {
                    producer.sendSync(TOPIC, null, value, List.of());
                }
                else
                {
                    producer.send(TOPIC, null, value, List.of()).get();
                }
            }

            public void sendAsync(final byte[] value, final Consumer<Throwable> onAck)
            {
                if (spinning)
                {
                    throw new UnsupportedOperationException("the spinning SDK is measured one in flight only");
                }
                producer.send(TOPIC, null, value, List.of()).whenComplete((stored, error) -> onAck.accept(error));
            }

            public void close()
            {
                producer.close();
            }
        };
    }
}
