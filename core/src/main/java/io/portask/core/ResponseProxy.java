package io.portask.core;

import io.portask.core.ring.RingMessages;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.Frame;
import io.portask.protocol.IpcStreams;
import io.portask.protocol.sbe.AdminResponseEncoder;
import io.portask.protocol.sbe.AlterTopicResponseEncoder;
import io.portask.protocol.sbe.CommitOffsetResponseEncoder;
import io.portask.protocol.sbe.ConnectionKind;
import io.portask.protocol.sbe.CreateTopicResponseEncoder;
import io.portask.protocol.sbe.DeleteGroupResponseEncoder;
import io.portask.protocol.sbe.DeleteTopicResponseEncoder;
import io.portask.protocol.sbe.DescribeGroupResponseEncoder;
import io.portask.protocol.sbe.DescribeTopicResponseEncoder;
import io.portask.protocol.sbe.ErrorResponseEncoder;
import io.portask.protocol.sbe.FetchCommittedOffsetResponseEncoder;
import io.portask.protocol.sbe.FetchResponseEncoder;
import io.portask.protocol.sbe.GetOffsetsResponseEncoder;
import io.portask.protocol.sbe.GroupHeartbeatResponseEncoder;
import io.portask.protocol.sbe.HealthResponseEncoder;
import io.portask.protocol.sbe.HealthStatus;
import io.portask.protocol.sbe.InitProducerResponseEncoder;
import io.portask.protocol.sbe.ListConnectionsResponseEncoder;
import io.portask.protocol.sbe.ListGroupsResponseEncoder;
import io.portask.protocol.sbe.ListTopicsResponseEncoder;
import io.portask.protocol.sbe.MessageHeaderEncoder;
import io.portask.protocol.sbe.ProduceResponseEncoder;
import io.portask.protocol.sbe.PushRecordsEncoder;
import io.portask.protocol.sbe.SubscribeResponseEncoder;
import io.portask.protocol.sbe.UnsubscribeResponseEncoder;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Encodes the core agent's responses and pushes into the outbound ring buffer, one pre-sized scratch buffer
 * and one reused encoder per message type: nothing is allocated on the produce, fetch and push paths.
 * <p>
 * Threading: the core agent's thread only.
 */
final class ResponseProxy
{
    private static final int RECORD_OVERHEAD = 32;

    private final RingBuffer outbound;
    private final RingBuffer ipcOutbound;
    private final UnsafeBuffer buffer;
    private final int requiredFreeBytes;
    private final CoreCounters counters;
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final ErrorResponseEncoder error = new ErrorResponseEncoder();
    private final ProduceResponseEncoder produce = new ProduceResponseEncoder();
    private final FetchResponseEncoder fetch = new FetchResponseEncoder();
    private final PushRecordsEncoder push = new PushRecordsEncoder();
    private final GetOffsetsResponseEncoder offsets = new GetOffsetsResponseEncoder();
    private final CreateTopicResponseEncoder createTopic = new CreateTopicResponseEncoder();
    private final AlterTopicResponseEncoder alterTopic = new AlterTopicResponseEncoder();
    private final InitProducerResponseEncoder initProducer = new InitProducerResponseEncoder();
    private final GroupHeartbeatResponseEncoder groupHeartbeat = new GroupHeartbeatResponseEncoder();
    private final ListGroupsResponseEncoder listGroups = new ListGroupsResponseEncoder();
    private final DescribeGroupResponseEncoder describeGroup = new DescribeGroupResponseEncoder();
    private final DeleteGroupResponseEncoder deleteGroup = new DeleteGroupResponseEncoder();
    private final DeleteTopicResponseEncoder deleteTopic = new DeleteTopicResponseEncoder();
    private final ListTopicsResponseEncoder listTopics = new ListTopicsResponseEncoder();
    private final DescribeTopicResponseEncoder describeTopic = new DescribeTopicResponseEncoder();
    private final HealthResponseEncoder health = new HealthResponseEncoder();
    private final CommitOffsetResponseEncoder commitOffset = new CommitOffsetResponseEncoder();
    private final FetchCommittedOffsetResponseEncoder committedOffset = new FetchCommittedOffsetResponseEncoder();
    private final SubscribeResponseEncoder subscribe = new SubscribeResponseEncoder();
    private final UnsubscribeResponseEncoder unsubscribe = new UnsubscribeResponseEncoder();
    private final ListConnectionsResponseEncoder listConnections = new ListConnectionsResponseEncoder();
    private final AdminResponseEncoder admin = new AdminResponseEncoder();
    private int varDataLengthAt;

    ResponseProxy(
        final RingBuffer outbound, final RingBuffer ipcOutbound, final int maxFrameLength, final CoreCounters counters)
    {
        this.outbound = outbound;
        this.ipcOutbound = ipcOutbound;
        final int capacity = RingMessages.MESSAGE_OFFSET + Frame.messageLength(maxFrameLength);
        this.buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            BitUtil.align(capacity, BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH));
        this.requiredFreeBytes = BitUtil.align(capacity + RECORD_OVERHEAD, RingBufferDescriptor.TRAILER_LENGTH);
        this.counters = counters;
    }

    /**
     * Whether a response of the largest size fits the ring that answers a connection. The core checks before it
     * takes a request off the inbound ring so that no accepted request ever goes unanswered.
     */
    boolean hasCapacity(final long connectionId)
    {
        final RingBuffer ring = ringFor(connectionId);
        return null == ring || ring.capacity() - ring.size() >= requiredFreeBytes;
    }

    /**
     * Whether every outbound ring has room for a response of the largest size.
     */
    boolean hasCapacity()
    {
        return hasCapacity(0) && (null == ipcOutbound || hasCapacity(IpcStreams.CONNECTION_BIT));
    }

    private RingBuffer ringFor(final long connectionId)
    {
        return RingMessages.isIpc(connectionId) ? ipcOutbound : outbound;
    }

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    int capacityFrom(final int position)
    {
        return buffer.capacity() - position;
    }

    void sendError(
        final long connectionId,
        final long correlationId,
        final int requestTemplateId,
        final ErrorCode code,
        final String message)
    {
        counters.onError(code);
        error.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(correlationId)
            .requestTemplateId(requestTemplateId)
            .errorCode(code.code())
            .message(message);
        send(connectionId, error.limit());
    }

    void sendProduce(
        final long connectionId, final long correlationId, final int partition, final long baseOffset, final int count)
    {
        produce.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(correlationId)
            .partition(partition)
            .baseOffset(baseOffset)
            .recordCount(count);
        send(connectionId, produce.limit());
    }

    /**
     * Begin a fetch response; the caller copies batches to the returned position then calls
     * {@link #commitVarData(long, int)}.
     */
    int beginFetch(
        final long correlationId, final int partition, final long logStartOffset, final long highWatermark)
    {
        fetch.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(correlationId)
            .partition(partition)
            .logStartOffset(logStartOffset)
            .highWatermark(highWatermark);
        varDataLengthAt = fetch.limit();
        return varDataLengthAt + FetchResponseEncoder.batchesHeaderLength();
    }

    /**
     * Begin a push; the caller copies batches to the returned position then calls
     * {@link #commitVarData(long, int)}.
     */
    int beginPush(final long subscriptionId, final int partition, final long highWatermark)
    {
        push.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .subscriptionId(subscriptionId)
            .partition(partition)
            .highWatermark(highWatermark);
        varDataLengthAt = push.limit();
        return varDataLengthAt + PushRecordsEncoder.batchesHeaderLength();
    }

    /**
     * Finish the response begun by {@link #beginFetch} or {@link #beginPush} with {@code length} bytes of batches.
     */
    void commitVarData(final long connectionId, final int length)
    {
        buffer.putInt(varDataLengthAt, length, Frame.BYTE_ORDER);
        send(connectionId, varDataLengthAt + 4 + length);
    }

    void sendOffsets(
        final long connectionId,
        final long correlationId,
        final int partition,
        final long logStartOffset,
        final long highWatermark)
    {
        offsets.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(correlationId)
            .partition(partition)
            .logStartOffset(logStartOffset)
            .highWatermark(highWatermark);
        send(connectionId, offsets.limit());
    }

    void sendCreateTopic(final long connectionId, final long correlationId)
    {
        createTopic.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header).correlationId(correlationId);
        send(connectionId, createTopic.limit());
    }

    void sendInitProducer(final long connectionId, final long correlationId, final long producerId, final short epoch)
    {
        initProducer.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header).correlationId(correlationId)
            .producerId(producerId).producerEpoch(epoch);
        send(connectionId, initProducer.limit());
    }

    void sendAlterTopic(final long connectionId, final long correlationId)
    {
        alterTopic.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header).correlationId(correlationId);
        send(connectionId, alterTopic.limit());
    }

    void sendDeleteTopic(final long connectionId, final long correlationId)
    {
        deleteTopic.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header).correlationId(correlationId);
        send(connectionId, deleteTopic.limit());
    }

    void sendListTopics(final long connectionId, final long correlationId, final Topic[] topics)
    {
        listTopics.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header).correlationId(correlationId);
        final int count = Math.min(topics.length, ListTopicsResponseEncoder.TopicsEncoder.countMaxValue());
        final ListTopicsResponseEncoder.TopicsEncoder group = listTopics.topicsCount(count);
        for (int i = 0; i < count; i++)
        {
            final Topic topic = topics[i];
            group.next()
                .partitions(topic.partitions.length)
                .storage(topic.descriptor.storage())
                .putName(topic.nameBytes, 0, topic.nameBytes.length);
        }
        send(connectionId, listTopics.limit());
    }

    void sendDescribeTopic(
        final long connectionId, final long correlationId, final Topic topic, final long retentionMs,
        final long retentionBytes)
    {
        describeTopic.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(correlationId)
            .storage(topic.descriptor.storage())
            .retentionMs(retentionMs)
            .retentionBytes(retentionBytes);
        final DescribeTopicResponseEncoder.PartitionsEncoder group =
            describeTopic.partitionsCount(topic.partitions.length);
        for (final Partition partition : topic.partitions)
        {
            group.next()
                .partition(partition.index)
                .logStartOffset(partition.log.logStartOffset())
                .highWatermark(partition.log.highWatermark());
        }
        describeTopic.putTopic(topic.nameBytes, 0, topic.nameBytes.length);
        send(connectionId, describeTopic.limit());
    }

    void sendHealth(
        final long connectionId, final long correlationId, final long timeMs, final int topics, final int connections,
        final int clusterNode, final int clusterLeader, final long clusterLogPosition)
    {
        health.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(correlationId)
            .status(HealthStatus.OK)
            .brokerTimeMs(timeMs)
            .topicCount(topics)
            .connectionCount(connections)
            .clusterNode(clusterNode)
            .clusterLeader(clusterLeader)
            .clusterLogPosition(clusterLogPosition);
        send(connectionId, health.limit());
    }

    void sendConnections(
        final long connectionId, final long correlationId, final Collection<ConnectionHandler.ConnectionInfo> all)
    {
        listConnections.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header).correlationId(correlationId);
        final int count = Math.min(all.size(), ListConnectionsResponseEncoder.ConnectionsEncoder.countMaxValue());
        final ListConnectionsResponseEncoder.ConnectionsEncoder group = listConnections.connectionsCount(count);
        int written = 0;
        for (final ConnectionHandler.ConnectionInfo info : all)
        {
            if (written++ == count)
            {
                break;
            }
            group.next()
                .connectionId(info.connectionId())
                .openedAtMs(info.openedAtMs())
                .kind(RingMessages.isIpc(info.connectionId()) ? ConnectionKind.IPC : ConnectionKind.TCP)
                .remote(info.remote());
        }
        send(connectionId, listConnections.limit());
    }

    void sendAdmin(final long connectionId, final long correlationId, final String state)
    {
        admin.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header).correlationId(correlationId).state(state);
        send(connectionId, admin.limit());
    }

    void sendGroupHeartbeat(final long connectionId, final long correlationId, final GroupCoordinator.Answer answer)
    {
        groupHeartbeat.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header).correlationId(correlationId)
            .memberEpoch(answer.memberEpoch()).heartbeatIntervalMs(answer.heartbeatIntervalMs());
        final int count = answer.assignment().values().stream().mapToInt(List::size).sum();
        final GroupHeartbeatResponseEncoder.AssignedPartitionsEncoder assigned =
            groupHeartbeat.assignedPartitionsCount(count);
        answer.assignment().forEach((topic, partitions) ->
            partitions.forEach(partition -> assigned.next().partition(partition).topic(topic)));
        groupHeartbeat.memberId(answer.memberId());
        send(connectionId, groupHeartbeat.limit());
    }

    void sendListGroups(final long connectionId, final long correlationId, final Map<String, Integer> groups)
    {
        listGroups.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header).correlationId(correlationId);
        final ListGroupsResponseEncoder.GroupsEncoder entries =
            listGroups.groupsCount(Math.min(groups.size(), ListGroupsResponseEncoder.GroupsEncoder.countMaxValue()));
        groups.entrySet().stream().limit(ListGroupsResponseEncoder.GroupsEncoder.countMaxValue())
            .forEach(group -> entries.next().members(group.getValue()).name(group.getKey()));
        send(connectionId, listGroups.limit());
    }

    void sendDeleteGroup(final long connectionId, final long correlationId, final int offsetsDeleted)
    {
        deleteGroup.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header).correlationId(correlationId)
            .offsetsDeleted(offsetsDeleted);
        send(connectionId, deleteGroup.limit());
    }

    void sendDescribeGroup(
        final long connectionId, final long correlationId, final String group, final Map<String, Integer> members,
        final List<GroupOffsetHandler.PartitionRow> partitions)
    {
        describeGroup.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header).correlationId(correlationId);
        final DescribeGroupResponseEncoder.MembersEncoder memberEntries = describeGroup.membersCount(members.size());
        members.forEach((member, epoch) -> memberEntries.next().memberEpoch(epoch).memberId(member));
        final DescribeGroupResponseEncoder.PartitionsEncoder rows = describeGroup.partitionsCount(partitions.size());
        partitions.forEach(row -> rows.next().partition(row.partition()).committedOffset(row.committedOffset())
            .highWatermark(row.highWatermark()).lag(row.lag()).topic(row.topic()).owner(row.owner()));
        describeGroup.group(group);
        send(connectionId, describeGroup.limit());
    }

    void sendCommitOffset(final long connectionId, final long correlationId)
    {
        commitOffset.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header).correlationId(correlationId);
        send(connectionId, commitOffset.limit());
    }

    void sendCommittedOffset(
        final long connectionId, final long correlationId, final int partition, final long offset)
    {
        committedOffset.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(correlationId)
            .partition(partition)
            .committedOffset(offset);
        send(connectionId, committedOffset.limit());
    }

    void sendSubscribe(
        final long connectionId, final long correlationId, final long subscriptionId, final long startOffset)
    {
        subscribe.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header)
            .correlationId(correlationId)
            .subscriptionId(subscriptionId)
            .startOffset(startOffset);
        send(connectionId, subscribe.limit());
    }

    void sendUnsubscribe(final long connectionId, final long correlationId)
    {
        unsubscribe.wrapAndApplyHeader(buffer, RingMessages.MESSAGE_OFFSET, header).correlationId(correlationId);
        send(connectionId, unsubscribe.limit());
    }

    private void send(final long connectionId, final int length)
    {
        buffer.putLong(RingMessages.CONNECTION_ID_OFFSET, connectionId);
        final RingBuffer ring = ringFor(connectionId);
        if (null == ring)
        {
            return;
        }
        if (!ring.write(RingMessages.RESPONSE, buffer, 0, length))
        {
            throw new IllegalStateException("outbound ring full despite capacity check: length=" + length);
        }
    }
}
