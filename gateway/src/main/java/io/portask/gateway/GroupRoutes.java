package io.portask.gateway;

import io.portask.protocol.link.Requests;
import io.portask.protocol.sbe.DeleteGroupResponseDecoder;
import io.portask.protocol.sbe.DescribeGroupResponseDecoder;
import io.portask.protocol.sbe.DescribeTopicResponseDecoder;
import io.portask.protocol.sbe.GetOffsetsResponseDecoder;
import io.portask.protocol.sbe.ListGroupsResponseDecoder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /api/v1/groups} and {@code GET /api/v1/groups/{g}}: consumer groups, their members, and per partition
 * the owner, the committed offset, the high watermark and the lag, as the broker's ListGroups and DescribeGroup
 * answer them; deleting an empty group and resetting its offsets on a topic (the broker refuses both while the
 * group has members: 400).
 */
final class GroupRoutes
{
    private final BrokerLink link;

    GroupRoutes(final BrokerLink link)
    {
        this.link = link;
    }

    CompletableFuture<HttpResult> list(final String principal)
    {
        return link.send(principal, Requests.listGroups()).thenApply(reply ->
        {
            final ListGroupsResponseDecoder decoder =
                new ListGroupsResponseDecoder().wrapAndApplyHeader(reply.buffer(), 0, reply.header());
            final JsonArray groups = new JsonArray();
            for (final ListGroupsResponseDecoder.GroupsDecoder group : decoder.groups())
            {
                final int members = group.members();
                groups.add(new JsonObject().put("name", group.name()).put("members", members));
            }
            return new HttpResult(200, new JsonObject().put("groups", groups));
        });
    }

    CompletableFuture<HttpResult> describe(final String principal, final String group)
    {
        return link.send(principal, Requests.describeGroup(group)).thenApply(reply ->
        {
            final DescribeGroupResponseDecoder decoder =
                new DescribeGroupResponseDecoder().wrapAndApplyHeader(reply.buffer(), 0, reply.header());
            final JsonArray members = new JsonArray();
            for (final DescribeGroupResponseDecoder.MembersDecoder member : decoder.members())
            {
                final int epoch = member.memberEpoch();
                members.add(new JsonObject().put("memberId", member.memberId()).put("memberEpoch", epoch));
            }
            final JsonArray partitions = new JsonArray();
            long totalLag = 0;
            for (final DescribeGroupResponseDecoder.PartitionsDecoder row : decoder.partitions())
            {
                final JsonObject partition = new JsonObject().put("partition", row.partition())
                    .put("committedOffset", row.committedOffset()).put("highWatermark", row.highWatermark())
                    .put("lag", row.lag());
                totalLag += row.lag();
                partitions.add(partition.put("topic", row.topic()).put("owner", row.owner()));
            }
            return new HttpResult(200, new JsonObject().put("name", decoder.group()).put("members", members)
                .put("lag", totalLag).put("partitions", partitions));
        });
    }

    /**
     * {@code DELETE /api/v1/groups/{g}}: an empty group's committed offsets go.
     */
    CompletableFuture<HttpResult> delete(final String principal, final String group)
    {
        return link.send(principal, Requests.deleteGroup(group)).thenApply(reply -> new HttpResult(200, new JsonObject()
            .put("name", group).put("offsetsDeleted", new DeleteGroupResponseDecoder()
            .wrapAndApplyHeader(reply.buffer(), 0, reply.header()).offsetsDeleted())));
    }

    /**
     * {@code POST /api/v1/groups/{g}/reset-offsets} with {"topic", "to": "earliest" | "latest" | an offset}: an
     * empty group's committed offset on every partition of the topic (an offset is kept within each partition's
     * log start and high watermark).
     */
    CompletableFuture<HttpResult> resetOffsets(final String principal, final String group, final JsonObject body)
    {
        final String topic = body.getString("topic");
        final Object to = body.getValue("to");
        if (null == topic || !("earliest".equals(to) || "latest".equals(to) || to instanceof Number))
        {
            throw new IllegalArgumentException("fields 'topic' and 'to' (\"earliest\", \"latest\" or an offset) " +
                "are required");
        }
        return link.send(principal, Requests.describeTopic(topic)).thenCompose(reply ->
        {
            final int partitions = new DescribeTopicResponseDecoder()
                .wrapAndApplyHeader(reply.buffer(), 0, reply.header()).partitions().count();
            final JsonArray reset = new JsonArray();
            CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
            for (int p = 0; p < partitions; p++)
            {
                final int partition = p;
                chain = chain.thenCompose(ignored -> link.send(principal, Requests.getOffsets(topic, partition)))
                    .thenCompose(offsets ->
                    {
                        final GetOffsetsResponseDecoder range = new GetOffsetsResponseDecoder()
                            .wrapAndApplyHeader(offsets.buffer(), 0, offsets.header());
                        final long target = "earliest".equals(to) ? range.logStartOffset() : "latest".equals(to) ?
                            range.highWatermark() : Math.max(range.logStartOffset(),
                            Math.min(range.highWatermark(), ((Number)to).longValue()));
                        return link.send(principal, Requests.commitOffset(group, topic, partition, target))
                            .thenApply(done -> reset.add(new JsonObject().put("partition", partition)
                            .put("offset", target)));
                    });
            }
            return chain.thenApply(done -> new HttpResult(200, new JsonObject().put("name", group)
                .put("topic", topic).put("partitions", reset)));
        });
    }
}
