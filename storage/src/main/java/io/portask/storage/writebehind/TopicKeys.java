package io.portask.storage.writebehind;

import io.lettuce.core.api.StatefulRedisConnection;
import io.portask.protocol.StorageKinds;
import io.portask.storage.spi.TopicDescriptor;
import org.agrona.collections.ObjectHashSet;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * The topic-level keys the write-behind keeps in Dragonfly beside the streams: each topic's description (a hash of
 * partition count and storage kind, written before its first batch and again after a reconnection) and the
 * deletion of a deleted topic's streams and description. Failures come back to the agent as {@link Fired} events.
 * <p>
 * Threading: the write-behind agent only; Lettuce's threads only queue the failures.
 */
final class TopicKeys
{
    /** A fire-and-forget command on connection {@code index} failed. */
    record Fired(int index, Throwable error)
    {
    }

    private final DragonflyContext ctx;
    private final Queue<Object> events;
    private final List<byte[][]> pendingDeletes = new ArrayList<>();
    private final ObjectHashSet<String> described = new ObjectHashSet<>();
    private final Map<String, TopicDescriptor> topics = new HashMap<>();

    TopicKeys(final DragonflyContext ctx, final Queue<Object> events)
    {
        this.ctx = ctx;
        this.events = events;
    }

    void onOpened(final TopicDescriptor topic)
    {
        topics.put(topic.name(), topic);
        described.remove(topic.name());
    }

    void onDeleted(final TopicDescriptor topic)
    {
        final byte[][] keys = new byte[topic.partitions() + 1][];
        for (int p = 0; p < topic.partitions(); p++)
        {
            keys[p] = bytes(ctx.streamKey(topic.name(), p));
        }
        keys[topic.partitions()] = bytes(ctx.topicKey(topic.name()));
        pendingDeletes.add(keys);
        topics.remove(topic.name());
        described.remove(topic.name());
    }

    /**
     * The connection the description went on was lost: write it again with the next batch.
     */
    void forget(final String topic)
    {
        described.remove(topic);
    }

    /**
     * Write the topic's description once, before its first batch on this connection.
     */
    void describe(final String topic, final StatefulRedisConnection<byte[], byte[]> connection, final int index)
    {
        final TopicDescriptor descriptor = topics.get(topic);
        if (null == descriptor || !described.add(topic))
        {
            return;
        }
        connection.async().hset(bytes(ctx.topicKey(topic)), Map.of(
            bytes("partitions"), bytes(String.valueOf(descriptor.partitions())),
            bytes("storage"), bytes(StorageKinds.name(descriptor.storage()))))
            .whenComplete((result, error) ->
            {
                if (null != error)
                {
                    events.offer(new Fired(index, error));
                }
            });
    }

    /**
     * Delete the streams and descriptions of deleted topics on the first connection up.
     *
     * @return the index of the connection used, or -1 when none was up or nothing was pending.
     */
    int deleteStreams(final List<StatefulRedisConnection<byte[], byte[]>> connections)
    {
        if (pendingDeletes.isEmpty())
        {
            return -1;
        }
        for (int i = 0; i < connections.size(); i++)
        {
            if (null != connections.get(i))
            {
                final int index = i;
                for (final byte[][] keys : pendingDeletes)
                {
                    connections.get(i).async().del(keys).whenComplete((result, error) ->
                    {
                        if (null != error)
                        {
                            events.offer(new Fired(index, error));
                        }
                    });
                }
                pendingDeletes.clear();
                return i;
            }
        }
        return -1;
    }

    static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
