package io.portask.ops.system;

import io.portask.client.Producer;
import io.portask.client.TopicPartition;
import io.portask.testsupport.BrokerProcess;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's WebSocket against real broker and gateway processes.
 */
class WebSocketSystemTest
{
    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private BrokerProcess broker;
    private BrokerProcess gateway;

    @AfterEach
    void stop()
    {
        if (null != gateway)
        {
            gateway.close();
        }
        if (null != broker)
        {
            broker.close();
        }
    }

    /** Collects text frames; reads only when asked to. */
    private static final class Frames implements WebSocket.Listener
    {
        final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private final boolean reading;

        Frames(final boolean reading)
        {
            this.reading = reading;
        }

        public void onOpen(final WebSocket socket)
        {
            socket.request(reading ? Long.MAX_VALUE : 1);
        }

        public CompletionStage<?> onText(final WebSocket socket, final CharSequence data, final boolean last)
        {
            partial.append(data);
            if (last)
            {
                frames.add(new JsonObject(partial.toString()));
                partial.setLength(0);
            }
            return null;
        }

        public CompletionStage<?> onClose(final WebSocket socket, final int statusCode, final String reason)
        {
            closed.complete(statusCode);
            return null;
        }

        JsonObject next(final String op) throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < deadline)
            {
                final JsonObject frame = frames.poll(100, TimeUnit.MILLISECONDS);
                if (null != frame && op.equals(frame.getString("op")))
                {
                    return frame;
                }
            }
            throw new AssertionError("no '" + op + "' frame; left: " + frames);
        }
    }

    private WebSocket open(final Frames frames)
    {
        return http.newWebSocketBuilder()
            .buildAsync(URI.create("ws://127.0.0.1:" + gateway.port() + "/ws"), frames).join();
    }

    private void start() throws Exception
    {
        broker = new BrokerProcess(dir.resolve("data")).start();
        gateway = BrokerProcess.gateway(dir.resolve("data")).start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (200 != http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/health"))
            .build(), HttpResponse.BodyHandlers.discarding()).statusCode())
        {
            assertTrue(System.nanoTime() < deadline);
            BrokerProcess.sleep(100);
        }
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/api/v1/topics"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"live\"}")).build(),
            HttpResponse.BodyHandlers.discarding());
    }

    @Test
    void shouldSubscribePublishAndPushLive() throws Exception
    {
        start();
        final Frames frames = new Frames(true);
        final WebSocket socket = open(frames);
        socket.sendText("{\"op\":\"ping\",\"id\":1}", true).join();
        assertEquals(1, frames.next("pong").getInteger("id"));
        socket.sendText("not json", true).join();
        assertEquals(2, frames.next("error").getInteger("code"));

        socket.sendText("{\"op\":\"subscribe\",\"topic\":\"live\",\"partition\":0,\"id\":2}", true).join();
        final JsonObject subscribed = frames.next("subscribed");
        assertEquals(2, subscribed.getInteger("id"));
        assertEquals(0L, subscribed.getLong("startOffset"));

        socket.sendText("{\"op\":\"publish\",\"topic\":\"live\",\"records\":[{\"value\":\"from-ws\"}],\"id\":3}", true)
            .join();
        assertEquals(3, frames.next("published").getInteger("id"));
        assertEquals("from-ws", frames.next("records").getJsonArray("records").getJsonObject(0).getString("value"));

        try (Producer producer = Producer.builder(broker.bootstrap()).build())
        {
            producer.sendSync("live", "k", "from-tcp");
        }
        final JsonObject pushed = frames.next("records").getJsonArray("records").getJsonObject(0);
        assertEquals("from-tcp", pushed.getString("value"));
        assertEquals(1L, pushed.getLong("offset"));

        socket.sendText("{\"op\":\"subscribe\",\"topic\":\"nope\",\"partition\":0,\"id\":4}", true).join();
        final JsonObject error = frames.next("error");
        assertEquals(4, error.getInteger("id"));
        assertEquals("UNKNOWN_TOPIC_OR_PARTITION", error.getString("error"));
        socket.sendText("{\"op\":\"unsubscribe\",\"topic\":\"live\",\"partition\":0,\"id\":5}", true).join();
        assertEquals(5, frames.next("unsubscribed").getInteger("id"));
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();

        final LinkedBlockingQueue<byte[]> binary = new LinkedBlockingQueue<>();
        final WebSocket cborSocket = http.newWebSocketBuilder().buildAsync(
            URI.create("ws://127.0.0.1:" + gateway.port() + "/ws"), new WebSocket.Listener()
            {
                private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();

                public CompletionStage<?> onBinary(
                    final WebSocket ws, final java.nio.ByteBuffer data, final boolean last)
                {
                    final byte[] bytes = new byte[data.remaining()];
                    data.get(bytes);
                    partial.writeBytes(bytes);
                    if (last)
                    {
                        binary.add(partial.toByteArray());
                        partial.reset();
                    }
                    ws.request(1);
                    return null;
                }
            }).join();
        final com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper mapper =
            new com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper();
        cborSocket.sendBinary(java.nio.ByteBuffer.wrap(mapper.writeValueAsBytes(
            java.util.Map.of("op", "ping", "id", 9))), true).join();
        final byte[] pong = binary.poll(10, TimeUnit.SECONDS);
        assertTrue(null != pong, "a CBOR answer arrives");
        assertEquals("pong", mapper.readTree(pong).get("op").asText());
        assertEquals(9, mapper.readTree(pong).get("id").asInt());
        cborSocket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }

    @Test
    void shouldCloseASocketThatDoesNotKeepUp() throws Exception
    {
        start();
        try (java.net.Socket raw = new java.net.Socket("127.0.0.1", gateway.port()))
        {
            raw.setReceiveBufferSize(16 * 1024);
            final java.io.OutputStream out = raw.getOutputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            final java.io.InputStream in = raw.getInputStream();
            final StringBuilder headers = new StringBuilder();
            while (!headers.toString().endsWith("\r\n\r\n"))
            {
                headers.append((char)in.read());
            }
            assertTrue(headers.toString().startsWith("HTTP/1.1 101"), headers.toString());
            out.write(maskedText("{\"op\":\"subscribe\",\"topic\":\"live\",\"partition\":0}"));
            out.flush();

            final byte[] value = new byte[16 * 1024];
            java.util.Arrays.fill(value, (byte)'x');
            try (Producer producer = Producer.builder(broker.bootstrap()).batchBytes(64 * 1024).lingerMs(2).build())
            {
                for (int i = 0; i < 2_000; i++)
                {
                    producer.send(new TopicPartition("live", 0), null, value, List.of());
                }
                producer.flush();
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String metrics = "";
            while (System.nanoTime() < deadline && !metrics.contains("portask_gateway_websockets_dropped_slow_total 1"))
            {
                metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
                BrokerProcess.sleep(200);
            }
            assertTrue(metrics.contains("portask_gateway_websockets_dropped_slow_total 1"), metrics);
            assertTrue(metrics.contains("portask_gateway_websockets 0"), "the slow socket is gone: " + metrics);
            assertTrue(metrics.contains("portask_subscriptions 0"), "its subscription ended at the broker: " + metrics);
        }
    }

    private static byte[] maskedText(final String text)
    {
        final byte[] payload = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        final byte[] mask = { 1, 2, 3, 4 };
        final byte[] frame = new byte[2 + 4 + payload.length];
        frame[0] = (byte)0x81;
        frame[1] = (byte)(0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++)
        {
            frame[6 + i] = (byte)(payload[i] ^ mask[i % 4]);
        }
        return frame;
    }
}
