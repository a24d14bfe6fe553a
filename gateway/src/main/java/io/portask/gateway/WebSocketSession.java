package io.portask.gateway;

import io.portask.protocol.BatchCompression;
import io.portask.protocol.RecordReader;
import io.portask.protocol.link.Reply;
import io.portask.protocol.link.Requests;
import io.portask.protocol.sbe.PushRecordsDecoder;
import io.portask.protocol.sbe.SubscribeResponseDecoder;
import io.vertx.core.Context;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One browser's WebSocket on {@code /ws}: JSON text frames in and out, each may carry an "id" that its answer
 * echoes; a client that sends binary frames speaks CBOR instead, and is answered (pushes included) in CBOR.
 * <pre>
 *   {"op":"subscribe","topic":T,"partition":P,"offset":N}   (offset -1 or absent: only new records)
 *       -> {"op":"subscribed","topic","partition","startOffset"}, then {"op":"records","topic","partition",
 *          "records":[...]} as they arrive
 *   {"op":"unsubscribe","topic":T,"partition":P}  -> {"op":"unsubscribed",...}
 *   {"op":"publish","topic":T,"records":[...]}     -> {"op":"published","offsets":[...]}
 *   {"op":"ping"}                                  -> {"op":"pong"}
 *   anything wrong                                 -> {"op":"error","error","code","message"}
 * </pre>
 * Flow control rides on the broker's credit: credit for pushed bytes is granted back only once they are queued
 * on the socket, and a socket whose bounded write queue is full is closed with code 4008 (counted), so a slow
 * browser never makes the broker or the gateway hold more than one window per subscription.
 * <p>
 * Threading: frames on the socket's Vert.x context; pushes arrive on the link thread and hop to the context.
 */
final class WebSocketSession
{
    static final int WINDOW_BYTES = 256 * 1024;
    static final short SLOW_CONSUMER_CLOSE = 4008;

    private final ServerWebSocket socket;
    private final Context context;
    private final BrokerLink link;
    private final TopicRoutes topics;
    private final Metrics metrics;
    private final String principal;
    private final Map<String, Long> subscriptions = new HashMap<>();
    private boolean closed;
    private boolean cbor;

    WebSocketSession(
        final ServerWebSocket socket, final Context context, final BrokerLink link, final TopicRoutes topics,
        final Metrics metrics, final String principal)
    {
        this.principal = principal;
        this.socket = socket;
        this.context = context;
        this.link = link;
        this.topics = topics;
        this.metrics = metrics;
        socket.setWriteQueueMaxSize(4 * WINDOW_BYTES);
        socket.textMessageHandler(this::onText);
        socket.binaryMessageHandler(buffer ->
        {
            cbor = true;
            final JsonObject frame;
            try
            {
                frame = Bodies.fromCbor(buffer.getBytes());
            }
            catch (final IllegalArgumentException ex)
            {
                sendError(null, HttpError.badRequest("binary frames are CBOR maps: " + ex.getMessage()));
                return;
            }
            onFrame(frame);
        });
        socket.closeHandler(ignored -> onClose());
        metrics.onWebSocketOpened();
    }

    private void onText(final String text)
    {
        cbor = false;
        final JsonObject frame;
        try
        {
            frame = new JsonObject(text);
        }
        catch (final RuntimeException ex)
        {
            sendError(null, HttpError.badRequest("frames are JSON objects: " + ex.getMessage()));
            return;
        }
        onFrame(frame);
    }

    private void onFrame(final JsonObject frame)
    {
        final Object id = frame.getValue("id");
        try
        {
            switch (String.valueOf(frame.getString("op")))
            {
                case "ping" -> send(new JsonObject().put("op", "pong"), id);
                case "subscribe" -> subscribe(frame, id);
                case "unsubscribe" -> unsubscribe(frame, id);
                case "publish" -> answer(topics.publish(principal, required(frame, "topic"), frame), "published", id);
                default -> sendError(id, HttpError.badRequest("op must be ping, subscribe, unsubscribe or publish"));
            }
        }
        catch (final RuntimeException ex)
        {
            sendError(id, HttpError.of(ex));
        }
    }

    private void subscribe(final JsonObject frame, final Object id)
    {
        final String topic = required(frame, "topic");
        final int partition = frame.getInteger("partition", 0);
        final long offset = frame.getLong("offset", -1L);
        final String key = topic + "/" + partition;
        if (subscriptions.containsKey(key))
        {
            throw new IllegalArgumentException("already subscribed to " + key);
        }
        link.send(principal, Requests.subscribe(topic, partition, offset, WINDOW_BYTES)).thenAccept(reply ->
            {
                final SubscribeResponseDecoder decoder =
                    new SubscribeResponseDecoder().wrapAndApplyHeader(reply.buffer(), 0, reply.header());
                final long subscriptionId = decoder.subscriptionId();
                final long startOffset = decoder.startOffset();
                link.addPushListener(subscriptionId, new Listener(topic, partition, subscriptionId));
                context.runOnContext(ignored ->
                {
                    subscriptions.put(key, subscriptionId);
                    send(new JsonObject().put("op", "subscribed").put("topic", topic).put("partition", partition)
                        .put("startOffset", startOffset), id);
                });
            }).exceptionally(error ->
            {
                context.runOnContext(ignored -> sendError(id, HttpError.of(error)));
                return null;
            });
    }

    private void unsubscribe(final JsonObject frame, final Object id)
    {
        final String key = required(frame, "topic") + "/" + frame.getInteger("partition", 0);
        final Long subscriptionId = subscriptions.remove(key);
        if (null == subscriptionId)
        {
            throw new IllegalArgumentException("not subscribed to " + key);
        }
        link.removePushListener(subscriptionId);
        answer(link.send(principal, Requests.unsubscribe(subscriptionId))
            .thenApply(reply -> new HttpResult(200, new JsonObject().put("topic", frame.getString("topic"))
            .put("partition", frame.getInteger("partition", 0)))), "unsubscribed", id);
    }

    private void answer(final CompletableFuture<HttpResult> result, final String op, final Object id)
    {
        result.whenComplete((ok, error) -> context.runOnContext(ignored ->
        {
            if (null != error)
            {
                sendError(id, HttpError.of(error));
            }
            else
            {
                send(((JsonObject)ok.body()).copy().put("op", op), id);
            }
        }));
    }

    private void send(final JsonObject frame, final Object id)
    {
        if (!closed)
        {
            write(null == id ? frame : frame.put("id", id));
        }
    }

    private void write(final JsonObject frame)
    {
        if (cbor)
        {
            socket.writeBinaryMessage(io.vertx.core.buffer.Buffer.buffer(Bodies.toCbor(frame)));
        }
        else
        {
            socket.writeTextMessage(frame.encode());
        }
    }

    private void sendError(final Object id, final HttpError error)
    {
        send(error.toJson().put("op", "error"), id);
    }

    private static String required(final JsonObject frame, final String field)
    {
        final String value = frame.getString(field);
        if (null == value || value.isEmpty())
        {
            throw new IllegalArgumentException("field '" + field + "' is required");
        }
        return value;
    }

    private void onClose()
    {
        end();
    }

    /**
     * End the session once, whoever ends it: cancel its subscriptions at the broker and stop writing.
     */
    private void end()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        metrics.onWebSocketClosed();
        for (final long subscriptionId : subscriptions.values())
        {
            link.removePushListener(subscriptionId);
            link.sendOneWay(principal, Requests.unsubscribe(subscriptionId));
        }
        subscriptions.clear();
    }

    private final class Listener implements BrokerLink.PushListener
    {
        private final String topic;
        private final int partition;
        private final long subscriptionId;

        Listener(final String topic, final int partition, final long subscriptionId)
        {
            this.topic = topic;
            this.partition = partition;
            this.subscriptionId = subscriptionId;
        }

        public void onPush(final Reply push)
        {
            final PushRecordsDecoder decoder =
                new PushRecordsDecoder().wrapAndApplyHeader(push.buffer(), 0, push.header());
            final int length = decoder.batchesLength();
            final RecordReader reader =
                RecordReaders.over(push.buffer(), decoder.limit() + PushRecordsDecoder.batchesHeaderLength(), length);
            final JsonArray records = new JsonArray();
            try
            {
                while (reader.next())
                {
                    records.add(TopicRoutes.toJson(reader));
                }
            }
            catch (final BatchCompression.CorruptBatchException ex)
            {
                context.runOnContext(ignored -> sendError(null, HttpError.of(ex)));
                return;
            }
            final JsonObject frame = new JsonObject().put("op", "records").put("topic", topic)
                .put("partition", partition).put("records", records);
            context.runOnContext(ignored -> deliver(frame, length));
        }

        private void deliver(final JsonObject frame, final int bytes)
        {
            if (closed)
            {
                return;
            }
            if (socket.writeQueueFull())
            {
                metrics.onWebSocketDroppedSlow();
                end();
                socket.shutdown(Duration.ZERO, SLOW_CONSUMER_CLOSE, "slow consumer: the socket's buffer is full");
                return;
            }
            write(frame);
            link.sendOneWay(principal, Requests.credit(subscriptionId, bytes));
        }

        public void onClosed(final BrokerErrorException why)
        {
            context.runOnContext(ignored ->
            {
                subscriptions.remove(topic + "/" + partition);
                sendError(null, HttpError.of(why));
            });
        }
    }
}
