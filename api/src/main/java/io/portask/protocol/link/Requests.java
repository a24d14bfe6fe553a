package io.portask.protocol.link;

import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.AdminAction;
import io.portask.protocol.sbe.AdminRequestEncoder;
import io.portask.protocol.sbe.AlterTopicRequestEncoder;
import io.portask.protocol.sbe.AuthenticateRequestEncoder;
import io.portask.protocol.sbe.CommitOffsetRequestEncoder;
import io.portask.protocol.sbe.CreateTopicRequestEncoder;
import io.portask.protocol.sbe.CreditRequestEncoder;
import io.portask.protocol.sbe.DeleteGroupRequestEncoder;
import io.portask.protocol.sbe.ProxiedRequestEncoder;
import io.portask.protocol.sbe.DeleteTopicRequestEncoder;
import io.portask.protocol.sbe.DescribeGroupRequestEncoder;
import io.portask.protocol.sbe.DescribeTopicRequestEncoder;
import io.portask.protocol.sbe.FetchCommittedOffsetRequestEncoder;
import io.portask.protocol.sbe.FetchRequestEncoder;
import io.portask.protocol.sbe.GetOffsetsRequestEncoder;
import io.portask.protocol.sbe.GroupHeartbeatRequestEncoder;
import io.portask.protocol.sbe.HealthRequestEncoder;
import io.portask.protocol.sbe.InitProducerRequestEncoder;
import io.portask.protocol.sbe.ListConnectionsRequestEncoder;
import io.portask.protocol.sbe.ListGroupsRequestEncoder;
import io.portask.protocol.sbe.ListTopicsRequestEncoder;
import io.portask.protocol.sbe.MessageHeaderEncoder;
import io.portask.protocol.sbe.ProduceRequestEncoder;
import io.portask.protocol.sbe.StorageKind;
import io.portask.protocol.sbe.SubscribeRequestEncoder;
import io.portask.protocol.sbe.UnsubscribeRequestEncoder;
import org.agrona.DirectBuffer;

import java.util.List;
import java.util.Map;

/**
 * One {@link RequestEncoder} per request type, the only place the SDK and the gateway encode requests: each
 * writes the SBE header and the fields in schema order. Stateless; any thread.
 */
public final class Requests
{
    private static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;

    private Requests()
    {
    }

    /**
     * @return a Produce request of one batch.
     */
    public static RequestEncoder produce(
        final String topic,
        final int partition,
        final AckLevel ackLevel,
        final DirectBuffer batch,
        final int batchOffset,
        final int batchLength)
    {
        return (buffer, offset, correlationId) -> new ProduceRequestEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .correlationId(correlationId).partition(partition).ackLevel(ackLevel).topic(topic)
            .putBatch(batch, batchOffset, batchLength).encodedLength() + HEADER;
    }

    /**
     * @return a Fetch request.
     */
    public static RequestEncoder fetch(
        final String topic, final int partition, final long fetchOffset, final int maxBytes, final int maxWaitMs)
    {
        return (buffer, offset, correlationId) -> new FetchRequestEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .correlationId(correlationId).partition(partition).fetchOffset(fetchOffset).maxBytes(maxBytes)
            .maxWaitMs(maxWaitMs).topic(topic).encodedLength() + HEADER;
    }

    /**
     * @return a GetOffsets request.
     */
    public static RequestEncoder getOffsets(final String topic, final int partition)
    {
        return (buffer, offset, correlationId) -> new GetOffsetsRequestEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .correlationId(correlationId).partition(partition).topic(topic).encodedLength() + HEADER;
    }

    /**
     * @return a CreateTopic request.
     */
    public static RequestEncoder createTopic(final String topic, final int partitions, final StorageKind storage)
    {
        return createTopic(topic, partitions, storage, -1, -1);
    }

    /**
     * @return a CreateTopic request with a retention (-1: the broker's default; Long.MAX_VALUE: no limit).
     */
    public static RequestEncoder createTopic(
        final String topic, final int partitions, final StorageKind storage, final long retentionMs,
        final long retentionBytes)
    {
        return (buffer, offset, correlationId) -> new CreateTopicRequestEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .correlationId(correlationId).partitions(partitions).storage(storage).retentionMs(retentionMs)
            .retentionBytes(retentionBytes).topic(topic).encodedLength() + HEADER;
    }

    /** In an AlterTopic request: leave this retention field as it is. */
    public static final long UNCHANGED = Long.MIN_VALUE;

    /**
     * @return an AlterTopic request: the topic's new retention (-1: the broker's default; Long.MAX_VALUE: none;
     *         {@link #UNCHANGED}: as it is).
     */
    public static RequestEncoder alterTopic(final String topic, final long retentionMs, final long retentionBytes)
    {
        return (buffer, offset, correlationId) -> new AlterTopicRequestEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .correlationId(correlationId).retentionMs(retentionMs).retentionBytes(retentionBytes).topic(topic)
            .encodedLength() + HEADER;
    }

    /**
     * @return a DeleteTopic request.
     */
    public static RequestEncoder deleteTopic(final String topic)
    {
        return (buffer, offset, correlationId) -> new DeleteTopicRequestEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .correlationId(correlationId).topic(topic).encodedLength() + HEADER;
    }

    /**
     * @return a ListTopics request.
     */
    public static RequestEncoder listTopics()
    {
        return (buffer, offset, correlationId) -> new ListTopicsRequestEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .correlationId(correlationId).encodedLength() + HEADER;
    }

    /**
     * @return a DescribeTopic request.
     */
    public static RequestEncoder describeTopic(final String topic)
    {
        return (buffer, offset, correlationId) -> new DescribeTopicRequestEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .correlationId(correlationId).topic(topic).encodedLength() + HEADER;
    }

    /**
     * @return a Health request.
     */
    public static RequestEncoder health()
    {
        return (buffer, offset, correlationId) -> new HealthRequestEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .correlationId(correlationId).encodedLength() + HEADER;
    }

    /**
     * @return a ListGroups request.
     */
    public static RequestEncoder listGroups()
    {
        return (buffer, offset, correlationId) -> new ListGroupsRequestEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .correlationId(correlationId).encodedLength() + HEADER;
    }

    /**
     * @param mechanism SCRAM-SHA-256 or TOKEN.
     * @param payload   the mechanism's client message.
     * @return an Authenticate request.
     */
    public static RequestEncoder authenticate(final String mechanism, final byte[] payload)
    {
        return (buffer, offset, correlationId) -> new AuthenticateRequestEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder()).correlationId(correlationId)
            .mechanism(mechanism).putPayload(payload, 0, payload.length).encodedLength() + HEADER;
    }

    /**
     * @param principal who the gateway acts for.
     * @param inner     the request it makes for them.
     * @return a ProxiedRequest around the inner request, both with the same correlation id (accepted only from a
     *         gateway's IPC connection).
     */
    public static RequestEncoder proxied(final String principal, final RequestEncoder inner)
    {
        return (buffer, offset, correlationId) ->
        {
            final ProxiedRequestEncoder encoder = new ProxiedRequestEncoder()
                .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder()).correlationId(correlationId)
                .principal(principal);
            // the inner request is written in place: length prefix first, then its message
            final int lengthAt = encoder.limit();
            final int innerLength = inner.encode(buffer, lengthAt + 4, correlationId);
            buffer.putInt(lengthAt, innerLength, java.nio.ByteOrder.LITTLE_ENDIAN);
            encoder.limit(lengthAt + 4 + innerLength);
            return encoder.encodedLength() + HEADER;
        };
    }

    /**
     * @return a DeleteGroup request.
     */
    public static RequestEncoder deleteGroup(final String group)
    {
        return (buffer, offset, correlationId) -> new DeleteGroupRequestEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder()).correlationId(correlationId)
            .group(group).encodedLength() + HEADER;
    }

    /**
     * @return a DescribeGroup request.
     */
    public static RequestEncoder describeGroup(final String group)
    {
        return (buffer, offset, correlationId) -> new DescribeGroupRequestEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .correlationId(correlationId).group(group).encodedLength() + HEADER;
    }

    /**
     * @return an InitProducer request: a new idempotent producer id and its epoch.
     */
    public static RequestEncoder initProducer()
    {
        return (buffer, offset, correlationId) -> new InitProducerRequestEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .correlationId(correlationId).encodedLength() + HEADER;
    }

    /**
     * @return a ListConnections request.
     */
    public static RequestEncoder listConnections()
    {
        return (buffer, offset, correlationId) -> new ListConnectionsRequestEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .correlationId(correlationId).encodedLength() + HEADER;
    }

    /**
     * @return an Admin request.
     */
    public static RequestEncoder admin(final AdminAction action)
    {
        return (buffer, offset, correlationId) -> new AdminRequestEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .correlationId(correlationId).action(action).encodedLength() + HEADER;
    }

    /**
     * @return a CommitOffset request.
     */
    public static RequestEncoder commitOffset(
        final String group, final String topic, final int partition, final long committedOffset)
    {
        return commitOffset(group, topic, partition, committedOffset, "", -1);
    }

    /**
     * @return a CommitOffset request of a group member (fenced by its epoch); memberId "" outside membership.
     */
    public static RequestEncoder commitOffset(
        final String group, final String topic, final int partition, final long committedOffset,
        final String memberId, final int memberEpoch)
    {
        return (buffer, offset, correlationId) -> new CommitOffsetRequestEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .correlationId(correlationId).partition(partition).committedOffset(committedOffset)
            .memberEpoch(memberEpoch).group(group).topic(topic).memberId(memberId).encodedLength() + HEADER;
    }

    /**
     * @param group            the consumer group.
     * @param memberId         "" to join.
     * @param memberEpoch      0 to join, -1 to leave, else the last received.
     * @param sessionTimeoutMs how long the member may stay silent.
     * @param topics           subscribed topics.
     * @param owned            partitions the member owns now.
     * @return a GroupHeartbeat request.
     */
    public static RequestEncoder groupHeartbeat(
        final String group, final String memberId, final int memberEpoch, final int sessionTimeoutMs,
        final List<String> topics, final Map<String, List<Integer>> owned)
    {
        return groupHeartbeat(group, memberId, "", "", memberEpoch, sessionTimeoutMs, topics, owned);
    }

    /**
     * @return a GroupHeartbeat request of a static member ({@code instanceId}, "" for none) asking for an assignor
     *         ("" for the broker's default).
     */
    public static RequestEncoder groupHeartbeat(
        final String group, final String memberId, final String instanceId, final String assignor,
        final int memberEpoch, final int sessionTimeoutMs, final List<String> topics,
        final Map<String, List<Integer>> owned)
    {
        return (buffer, offset, correlationId) ->
        {
            final GroupHeartbeatRequestEncoder encoder = new GroupHeartbeatRequestEncoder()
                .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
                .correlationId(correlationId).memberEpoch(memberEpoch).sessionTimeoutMs(sessionTimeoutMs);
            final GroupHeartbeatRequestEncoder.SubscribedTopicsEncoder subscribed =
                encoder.subscribedTopicsCount(topics.size());
            topics.forEach(topic -> subscribed.next().topic(topic));
            final int ownedCount = owned.values().stream().mapToInt(List::size).sum();
            final GroupHeartbeatRequestEncoder.OwnedPartitionsEncoder partitions =
                encoder.ownedPartitionsCount(ownedCount);
            owned.forEach((topic, indexes) ->
                indexes.forEach(index -> partitions.next().partition(index).topic(topic)));
            encoder.group(group).memberId(memberId).instanceId(instanceId).assignor(assignor);
            return encoder.encodedLength() + HEADER;
        };
    }

    /**
     * @return a FetchCommittedOffset request.
     */
    public static RequestEncoder fetchCommittedOffset(final String group, final String topic, final int partition)
    {
        return (buffer, offset, correlationId) -> new FetchCommittedOffsetRequestEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .correlationId(correlationId).partition(partition).group(group).topic(topic).encodedLength() + HEADER;
    }

    /**
     * @return a Subscribe request.
     */
    public static RequestEncoder subscribe(
        final String topic, final int partition, final long startOffset, final int creditBytes)
    {
        return (buffer, offset, correlationId) -> new SubscribeRequestEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .correlationId(correlationId).partition(partition).startOffset(startOffset).creditBytes(creditBytes)
            .topic(topic).encodedLength() + HEADER;
    }

    /**
     * @return an Unsubscribe request.
     */
    public static RequestEncoder unsubscribe(final long subscriptionId)
    {
        return (buffer, offset, correlationId) -> new UnsubscribeRequestEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .correlationId(correlationId).subscriptionId(subscriptionId).encodedLength() + HEADER;
    }

    /**
     * @return a Credit request (one-way: the broker does not answer it).
     */
    public static RequestEncoder credit(final long subscriptionId, final int creditBytes)
    {
        return (buffer, offset, correlationId) -> new CreditRequestEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .correlationId(correlationId).subscriptionId(subscriptionId).creditBytes(creditBytes).encodedLength() +
            HEADER;
    }
}
