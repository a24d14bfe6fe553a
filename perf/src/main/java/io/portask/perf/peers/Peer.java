package io.portask.perf.peers;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * A message system the comparison runs: how to start its server on loopback and how its own client sends.
 */
interface Peer
{
    /**
     * A client of the peer in one mode: sends one record and waits for the acknowledgement, or sends without
     * waiting and is told when it is acknowledged. Used from one thread.
     */
    interface Client extends AutoCloseable
    {
        void send(byte[] value) throws Exception;

        void sendAsync(byte[] value, Consumer<Throwable> onAck) throws Exception;

        /**
         * Close the client; may not throw checked exceptions.
         */
        void close();
    }

    /**
     * @return the system and version, e.g. "Apache Kafka 4.1.0".
     */
    String system();

    /**
     * @return why it cannot run here (e.g. "nats-server is not installed"), or null when it can.
     */
    String unavailable();

    /**
     * @return the modes compared, e.g. "acks=1", "acks=all".
     */
    List<String> modes();

    /**
     * Start the server, waiting until it is up.
     *
     * @param dir a folder of its own for data and its log.
     * @return the server, stopped by closing it.
     * @throws Exception when it does not start in time.
     */
    AutoCloseable start(Path dir) throws Exception;

    /**
     * @param mode       one of {@link #modes()}.
     * @param throughput true for the client tuned for throughput (batching), false for one-in-flight latency.
     * @return a connected client; the topic or stream exists.
     * @throws Exception when it cannot connect.
     */
    Client client(String mode, boolean throughput) throws Exception;
}
