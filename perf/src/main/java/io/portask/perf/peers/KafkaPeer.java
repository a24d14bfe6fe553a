package io.portask.perf.peers;

import io.portask.testsupport.FreePorts;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.AppInfoParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * Apache Kafka: one KRaft broker (combined broker and controller) run from its Maven Central jars, which
 * {@code perf/peers/kafka/pom.xml} gathers into {@code perf/target/peers/kafka} on first use; one topic of one
 * partition, driven by Kafka's own producer with acks=1 and acks=all.
 */
final class KafkaPeer implements Peer
{
    private static final String TOPIC = "bench";
    private final Path root;
    private int port;

    /**
     * @param root the repository root (for the jar-gathering pom).
     */
    KafkaPeer(final Path root)
    {
        this.root = root;
    }

    public String system()
    {
        return "Kafka " + AppInfoParser.getVersion() + " KRaft";
    }

    public String unavailable()
    {
        return Files.isRegularFile(root.resolve("perf/peers/kafka/pom.xml")) ? null :
            "perf/peers/kafka/pom.xml is missing (run from the repository root)";
    }

    public List<String> modes()
    {
        return List.of("acks=1", "acks=all");
    }

    public AutoCloseable start(final Path dir) throws Exception
    {
        final Path jars = gatherJars(dir);
        port = FreePorts.next();
        final int controllerPort = FreePorts.next();
        final Path config = dir.resolve("server.properties");
        Files.writeString(config, String.join("\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
            "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs=" + dir.resolve("logs"),
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "group.initial.rebalance.delay.ms=0", ""));
        final String java = PeerProcess.java();
        final String classpath = jars + "/*";
        PeerProcess.runToCompletion("kafka storage format", List.of(java, "-cp", classpath,
            "kafka.tools.StorageTool", "format", "--standalone", "-t", Uuid.randomUuid().toString(), "-c",
            config.toString()), dir.resolve("kafka.log"), Duration.ofSeconds(60));
        final PeerProcess broker = PeerProcess.start("kafka broker", List.of(java, "-Xmx1g", "-cp", classpath,
            "kafka.Kafka", config.toString()), dir.resolve("kafka.log"), port, Duration.ofSeconds(90));
        try (AdminClient admin = AdminClient.create(Map.of("bootstrap.servers", "127.0.0.1:" + port)))
        {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short)1))).all().get();
        }
        catch (final Exception ex)
        {
            broker.close();
            throw ex;
        }
        return broker;
    }

    private Path gatherJars(final Path dir) throws IOException
    {
        final Path jars = root.resolve("perf/target/peers/kafka");
        if (!Files.isDirectory(jars))
        {
            final List<String> command = new ArrayList<>(List.of("mvn", "-q", "-B", "-f",
                root.resolve("perf/peers/kafka/pom.xml").toString(), "dependency:copy-dependencies",
                "-DoutputDirectory=" + jars));
            PeerProcess.runToCompletion("gathering the Kafka broker's jars with Maven", command,
                dir.resolve("maven.log"), Duration.ofMinutes(5));
        }
        return jars;
    }

    public Client client(final String mode, final boolean throughput)
    {
        final Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
        properties.put(ProducerConfig.ACKS_CONFIG, mode.substring("acks=".length()));
        properties.put(ProducerConfig.LINGER_MS_CONFIG, throughput ? "1" : "0");
        properties.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(16 * 1024));
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        final KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
        return new Client()
        {
            public void send(final byte[] value) throws Exception
            {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, value)).get();
            }

            public void sendAsync(final byte[] value, final Consumer<Throwable> onAck)
            {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, value), (metadata, error) -> onAck.accept(error));
            }

            public void close()
            {
                producer.close(Duration.ofSeconds(10));
            }
        };
    }
}
