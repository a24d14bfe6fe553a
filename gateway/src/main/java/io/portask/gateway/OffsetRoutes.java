package io.portask.gateway;

import io.portask.protocol.link.Requests;
import io.portask.protocol.sbe.FetchCommittedOffsetResponseDecoder;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.CompletableFuture;

/**
 * Consumer-group offsets over HTTP: commit a group's next offset for a partition, and read it back.
 * <p>
 * Threading: any thread.
 */
final class OffsetRoutes
{
    private final BrokerLink link;

    OffsetRoutes(final BrokerLink link)
    {
        this.link = link;
    }

    /**
     * {@code POST /api/v1/consumers/{group}/offsets} with {"topic","partition","offset"}.
     */
    CompletableFuture<HttpResult> commit(final String principal, final String group, final JsonObject body)
    {
        final String topic = body.getString("topic");
        final Integer partition = body.getInteger("partition");
        final Long offset = body.getLong("offset");
        if (null == topic || null == partition || null == offset)
        {
            throw new IllegalArgumentException("fields 'topic', 'partition' and 'offset' are required");
        }
        return link.send(principal, Requests.commitOffset(group, topic, partition, offset))
            .thenApply(reply -> new HttpResult(200, offsetJson(group, topic, partition, offset)));
    }

    /**
     * {@code GET /api/v1/consumers/{group}/offsets/{topic}/{partition}}: -1 when the group has committed nothing.
     */
    CompletableFuture<HttpResult> read(
        final String principal, final String group, final String topic, final int partition)
    {
        return link.send(principal, Requests.fetchCommittedOffset(group, topic, partition))
            .thenApply(reply -> new HttpResult(200, offsetJson(group, topic, partition,
            new FetchCommittedOffsetResponseDecoder().wrapAndApplyHeader(reply.buffer(), 0, reply.header())
            .committedOffset())));
    }

    private static JsonObject offsetJson(final String group, final String topic, final int partition, final long offset)
    {
        return new JsonObject().put("group", group).put("topic", topic).put("partition", partition)
            .put("offset", offset);
    }
}
