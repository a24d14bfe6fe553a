package io.portask.gateway;

import io.portask.protocol.link.Requests;
import io.portask.protocol.sbe.DescribeGroupResponseDecoder;
import io.portask.protocol.sbe.ListGroupsResponseDecoder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /api/v1/groups} and {@code GET /api/v1/groups/{g}}: consumer groups, their members, and per partition
 * the owner, the committed offset, the high watermark and the lag, as the broker's ListGroups and DescribeGroup
 * answer them.
 */
final class GroupRoutes
{
    private final BrokerLink link;

    GroupRoutes(final BrokerLink link)
    {
        this.link = link;
    }

    CompletableFuture<HttpResult> list()
    {
        return link.send(Requests.listGroups()).thenApply(reply ->
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

    CompletableFuture<HttpResult> describe(final String group)
    {
        return link.send(Requests.describeGroup(group)).thenApply(reply ->
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
}
