package io.portask.perf;

import io.portask.client.Admin;
import io.portask.client.Producer;
import io.portask.client.TopicPartition;
import io.portask.core.ThreadingMode;
import io.portask.ops.Broker;
import io.portask.ops.BrokerContext;
import io.portask.ops.IdleStrategyKind;
import io.portask.perf.load.PacedPingClient;
import io.portask.perf.load.ProduceFrame;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.StorageKind;
import io.portask.storage.writebehind.DragonflyContext;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;

/**
 * A broker in this JVM with one single-partition topic, ready for paced produce-ack runs ({@link PacedPingClient},
 * ack=journal): it can be run in several blocks, so two of them can take turns on one schedule and be compared
 * under the same conditions. {@link #close()} checks that the broker stored every record sent.
 */
final class PacedTarget implements AutoCloseable
{
    private final File dataDir;
    private final Broker broker;
    private final String topic;
    private final ByteBuffer request;
    private final long before;
    private long sent;

    private PacedTarget(final File dataDir, final Broker broker, final String topic, final int size, final long before)
    {
        this.dataDir = dataDir;
        this.broker = broker;
        this.topic = topic;
        this.request = ProduceFrame.of(topic, 0, AckLevel.JOURNAL, size);
        this.before = before;
    }

    /**
     * @param mode      the broker's threading.
     * @param idle      its idle strategy.
     * @param dragonfly write-behind to this server, or null for none.
     * @param storage   the topic's storage.
     * @param size      value bytes per record.
     * @return the broker, its topic open for produces.
     * @throws IOException when the data folder cannot be made.
     */
    static PacedTarget launch(
        final ThreadingMode mode,
        final IdleStrategyKind idle,
        final DragonflyContext dragonfly,
        final StorageKind storage,
        final int size) throws IOException
    {
        final File dataDir = Files.createTempDirectory("portask-e2e").toFile();
        final Broker broker = Broker.launch(new BrokerContext()
            .port(0)
            .dataDir(dataDir)
            .threadingMode(mode)
            .idleStrategy(idle)
            .dragonfly(dragonfly));
        try
        {
            // a topic per storage kind: runs against one Dragonfly must not meet each other's streams (a
            // Dragonfly-only topic adopts a stream of its name, and learns where it ends after this reads "before")
            final String topic = "e2e-" + storage.name().toLowerCase(Locale.ROOT);
            try (Admin admin = Admin.connect(address(broker)))
            {
                admin.createTopic(topic, 1, storage);
            }
            // one record through the SDK, which retries while a Dragonfly-only partition is still opening (the raw
            // client counts any answer, an error too): the partition takes produces from here on
            try (Producer probe = Producer.builder(address(broker)).build();
                Admin admin = Admin.connect(address(broker)))
            {
                probe.sendSync(new TopicPartition(topic, 0), null, new byte[size], List.of());
                return new PacedTarget(dataDir, broker, topic, size,
                    admin.describeTopic(topic).partitions().get(0).highWatermark());
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(broker);
            IoUtil.delete(dataDir, true);
            throw ex;
        }
    }

    /**
     * One paced block on a connection of its own.
     *
     * @param warmup     closed-loop round trips first, not measured.
     * @param messages   measured, one every {@code intervalNs}.
     * @param intervalNs schedule spacing.
     * @return latency in nanoseconds from each send's intended time.
     * @throws IOException when the broker cannot be reached or answers fall too far behind.
     */
    Histogram run(final int warmup, final int messages, final long intervalNs) throws IOException
    {
        final Histogram histogram = PacedPingClient.run(
            broker.port(), request, ProduceFrame.RESPONSE_LENGTH, warmup, messages, intervalNs);
        sent += warmup + messages;
        return histogram;
    }

    /**
     * Checks the broker stored every record sent, then stops it and deletes its data.
     */
    public void close()
    {
        try (Admin admin = Admin.connect(address(broker)))
        {
            final long stored = admin.describeTopic(topic).partitions().get(0).highWatermark() - before;
            if (stored != sent)
            {
                throw new IllegalStateException("broker stored " + stored + " records, expected " + sent);
            }
        }
        finally
        {
            CloseHelper.quietClose(broker);
            IoUtil.delete(dataDir, true);
        }
    }

    private static String address(final Broker broker)
    {
        return "127.0.0.1:" + broker.port();
    }
}
