package io.portask.perf.peers;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.portask.testsupport.FreePorts;
import io.portask.testsupport.RedisServer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Redis Streams on Debian's redis-server: XADD to one stream, append-only file on with fsync every second (the
 * closest to a journal acknowledged before fsync), driven by Lettuce, which pipelines asynchronous commands on one
 * connection.
 */
final class RedisStreamsPeer implements Peer
{
    private static final byte[] STREAM = "bench".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FIELD = "v".getBytes(StandardCharsets.US_ASCII);
    private int port;
    private RedisClient redis;

    public String system()
    {
        if (null != unavailable())
        {
            return "Redis Streams";
        }
        final String out = PeerProcess.output(RedisServer.executable(), "--version");
        final int at = out.indexOf("v=");
        return "Redis " + (at < 0 ? "?" : out.substring(at + 2, out.indexOf(' ', at))) + " Streams";
    }

    public String unavailable()
    {
        try
        {
            RedisServer.executable();
            return null;
        }
        catch (final IllegalStateException ex)
        {
            return ex.getMessage();
        }
    }

    public List<String> modes()
    {
        return List.of("XADD, aof fsync 1 s");
    }

    public AutoCloseable start(final Path dir) throws Exception
    {
        port = FreePorts.next();
        final PeerProcess server = PeerProcess.start("redis-server", List.of(RedisServer.executable(), "--port",
            Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "", "--appendonly", "yes",
            "--appendfsync", "everysec"), dir.resolve("redis.log"), port, Duration.ofSeconds(20));
        redis = RedisClient.create(RedisURI.create("127.0.0.1", port));
        return () ->
        {
            redis.shutdown();
            server.close();
        };
    }

    public Client client(final String mode, final boolean throughput)
    {
        final StatefulRedisConnection<byte[], byte[]> connection = redis.connect(ByteArrayCodec.INSTANCE);
        return new Client()
        {
            public void send(final byte[] value)
            {
                connection.sync().xadd(STREAM, Map.of(FIELD, value));
            }

            public void sendAsync(final byte[] value, final Consumer<Throwable> onAck)
            {
                connection.async().xadd(STREAM, Map.of(FIELD, value)).whenComplete((id, error) -> onAck.accept(error));
            }

            public void close()
            {
                connection.close();
            }
        };
    }
}
