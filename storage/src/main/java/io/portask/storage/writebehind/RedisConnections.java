package io.portask.storage.writebehind;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * The write-behind's small pool of Lettuce connections to Dragonfly: connected asynchronously (a completion comes
 * back as a {@link Connected} event), commands queued without flushing and flushed once per duty cycle on each
 * connection used, a broken connection dropped and connected again when the circuit breaker allows.
 * <p>
 * Threading: the write-behind agent only; Lettuce's threads only queue the completions.
 */
final class RedisConnections implements AutoCloseable
{
    /** A connection attempt on slot {@code index} completed. */
    record Connected(int index, StatefulRedisConnection<byte[], byte[]> connection, Throwable error)
    {
    }

    private final RedisURI uri;
    private final Queue<Object> events;
    private final ClientResources resources;
    private final RedisClient client;
    private final List<StatefulRedisConnection<byte[], byte[]>> connections = new ArrayList<>();
    private final boolean[] connecting;
    private final boolean[] used;

    RedisConnections(final DragonflyContext ctx, final Queue<Object> events)
    {
        this.uri = ctx.redisUri();
        this.events = events;
        final DefaultClientResources.Builder builder =
            DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1);
        if (null != ctx.ioThreads())
        {
            builder.threadFactoryProvider(pool -> ctx.ioThreads());
        }
        this.resources = builder.build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
            .autoReconnect(false)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(ctx.timeout()))
            .build());
        for (int i = 0; i < ctx.connections(); i++)
        {
            connections.add(null);
        }
        this.connecting = new boolean[ctx.connections()];
        this.used = new boolean[ctx.connections()];
    }

    int size()
    {
        return connections.size();
    }

    /**
     * @return the connection of slot {@code index}, or null while it is down.
     */
    StatefulRedisConnection<byte[], byte[]> get(final int index)
    {
        return connections.get(index);
    }

    List<StatefulRedisConnection<byte[], byte[]>> all()
    {
        return connections;
    }

    /**
     * Start connecting every slot that is down, as far as the breaker allows.
     *
     * @return attempts started.
     */
    int connect(final CircuitBreaker breaker, final long nowNs)
    {
        int workCount = 0;
        for (int i = 0; i < connections.size(); i++)
        {
            if (null == connections.get(i) && !connecting[i] && breaker.tryAcquire(nowNs))
            {
                connecting[i] = true;
                final int index = i;
                client.connectAsync(ByteArrayCodec.INSTANCE, uri).whenComplete((connection, error) ->
                    events.offer(new Connected(index, connection, error)));
                workCount++;
            }
        }
        return workCount;
    }

    /**
     * @return true when the attempt succeeded and the slot is up.
     */
    boolean onConnected(final Connected connected)
    {
        connecting[connected.index()] = false;
        if (null != connected.error())
        {
            return false;
        }
        connected.connection().setAutoFlushCommands(false);
        connections.set(connected.index(), connected.connection());
        return true;
    }

    /**
     * @return true when the slot was up and is dropped now.
     */
    boolean drop(final int index)
    {
        final StatefulRedisConnection<byte[], byte[]> connection = connections.get(index);
        if (null == connection)
        {
            return false;
        }
        connection.closeAsync();
        connections.set(index, null);
        return true;
    }

    void markUsed(final int index)
    {
        used[index] = true;
    }

    /**
     * Flush the commands queued on every connection used this cycle.
     */
    void flushUsed()
    {
        for (int i = 0; i < connections.size(); i++)
        {
            if (used[i])
            {
                used[i] = false;
                connections.get(i).flushCommands();
            }
        }
    }

    String server()
    {
        return uri.getHost() + ":" + uri.getPort();
    }

    /**
     * Close every connection and the client.
     */
    public void close()
    {
        for (final StatefulRedisConnection<byte[], byte[]> connection : connections)
        {
            if (null != connection)
            {
                connection.close();
            }
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
