package io.portask.core;

import io.portask.core.ring.RingMessages;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.AdminRequestDecoder;
import io.portask.protocol.sbe.AlterTopicRequestDecoder;
import io.portask.protocol.sbe.CommitOffsetRequestDecoder;
import io.portask.protocol.sbe.CreateTopicRequestDecoder;
import io.portask.protocol.sbe.CreditRequestDecoder;
import io.portask.protocol.sbe.DeleteGroupRequestDecoder;
import io.portask.protocol.sbe.DeleteTopicRequestDecoder;
import io.portask.protocol.sbe.DescribeGroupRequestDecoder;
import io.portask.protocol.sbe.DescribeTopicRequestDecoder;
import io.portask.protocol.sbe.FetchCommittedOffsetRequestDecoder;
import io.portask.protocol.sbe.FetchRequestDecoder;
import io.portask.protocol.sbe.GetOffsetsRequestDecoder;
import io.portask.protocol.sbe.GroupHeartbeatRequestDecoder;
import io.portask.protocol.sbe.HealthRequestDecoder;
import io.portask.protocol.sbe.InitProducerRequestDecoder;
import io.portask.protocol.sbe.ListConnectionsRequestDecoder;
import io.portask.protocol.sbe.ListGroupsRequestDecoder;
import io.portask.protocol.sbe.ListTopicsRequestDecoder;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import io.portask.protocol.sbe.ProduceRequestDecoder;
import io.portask.protocol.sbe.ProxiedRequestDecoder;
import io.portask.protocol.sbe.StorageKind;
import io.portask.protocol.sbe.SubscribeRequestDecoder;
import io.portask.protocol.sbe.UnsubscribeRequestDecoder;
import io.portask.storage.spi.TopicDescriptor;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Decodes the inbound ring's messages and calls the handler of each request kind. Each request is read
 * through a view bounded to its own length, so a field that claims more bytes than the request holds throws
 * IndexOutOfBoundsException (Agrona's bounds checks stay on) and is answered with INVALID_REQUEST instead of
 * reading a neighbour's bytes. Every request's first field is its correlation id.
 * <p>
 * Threading: the core agent's thread only.
 */
final class RequestAdapter implements ControlledMessageHandler
{
    private final ProduceHandler produceHandler;
    private final FetchHandler fetchHandler;
    private final SubscriptionHandler subscriptionHandler;
    private final TopicHandler topicHandler;
    private final GroupOffsetHandler groupOffsetHandler;
    private final ConnectionHandler connectionHandler;
    private final ResponseProxy proxy;
    private final CoreCounters counters;
    private final UnsafeBuffer request = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer topic = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer batch = new UnsafeBuffer(0, 0);
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final ProduceRequestDecoder produce = new ProduceRequestDecoder();
    private final FetchRequestDecoder fetch = new FetchRequestDecoder();
    private final GetOffsetsRequestDecoder offsets = new GetOffsetsRequestDecoder();
    private final CreateTopicRequestDecoder createTopic = new CreateTopicRequestDecoder();
    private final AlterTopicRequestDecoder alterTopic = new AlterTopicRequestDecoder();
    private final InitProducerRequestDecoder initProducer = new InitProducerRequestDecoder();
    private final GroupHeartbeatRequestDecoder groupHeartbeat = new GroupHeartbeatRequestDecoder();
    private final ListGroupsRequestDecoder listGroups = new ListGroupsRequestDecoder();
    private final DescribeGroupRequestDecoder describeGroup = new DescribeGroupRequestDecoder();
    private final DeleteGroupRequestDecoder deleteGroup = new DeleteGroupRequestDecoder();
    private final DeleteTopicRequestDecoder deleteTopic = new DeleteTopicRequestDecoder();
    private final ListTopicsRequestDecoder listTopics = new ListTopicsRequestDecoder();
    private final DescribeTopicRequestDecoder describeTopic = new DescribeTopicRequestDecoder();
    private final HealthRequestDecoder health = new HealthRequestDecoder();
    private final CommitOffsetRequestDecoder commitOffset = new CommitOffsetRequestDecoder();
    private final FetchCommittedOffsetRequestDecoder committedOffset = new FetchCommittedOffsetRequestDecoder();
    private final SubscribeRequestDecoder subscribe = new SubscribeRequestDecoder();
    private final UnsubscribeRequestDecoder unsubscribe = new UnsubscribeRequestDecoder();
    private final CreditRequestDecoder credit = new CreditRequestDecoder();
    private final ListConnectionsRequestDecoder listConnections = new ListConnectionsRequestDecoder();
    private final AdminRequestDecoder admin = new AdminRequestDecoder();
    private final ProxiedRequestDecoder proxied = new ProxiedRequestDecoder();
    private final UnsafeBuffer inner = new UnsafeBuffer(0, 0);
    private final Authorizer authorizer;

    RequestAdapter(
        final ProduceHandler produceHandler,
        final FetchHandler fetchHandler,
        final SubscriptionHandler subscriptionHandler,
        final TopicHandler topicHandler,
        final GroupOffsetHandler groupOffsetHandler,
        final ConnectionHandler connectionHandler,
        final ResponseProxy proxy,
        final CoreCounters counters,
        final Authorizer authorizer)
    {
        this.authorizer = authorizer;
        this.produceHandler = produceHandler;
        this.fetchHandler = fetchHandler;
        this.subscriptionHandler = subscriptionHandler;
        this.topicHandler = topicHandler;
        this.groupOffsetHandler = groupOffsetHandler;
        this.connectionHandler = connectionHandler;
        this.proxy = proxy;
        this.counters = counters;
    }

    /**
     * {@inheritDoc}
     */
    public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final long connectionId = buffer.getLong(index + RingMessages.CONNECTION_ID_OFFSET);
        if (!proxy.hasCapacity(connectionId))
        {
            counters.outboundBackPressure().incrementRelease();
            return Action.ABORT;
        }
        switch (msgTypeId)
        {
            case RingMessages.CONNECTION_OPENED -> connectionHandler.onConnectionOpened(connectionId,
                buffer.getStringWithoutLengthUtf8(index + RingMessages.MESSAGE_OFFSET,
                length - RingMessages.MESSAGE_OFFSET));
            case RingMessages.CONNECTION_CLOSED -> connectionHandler.onConnectionClosed(connectionId);
            case RingMessages.CONNECTION_AUTHENTICATED -> connectionHandler.onConnectionAuthenticated(connectionId,
                buffer.getStringWithoutLengthUtf8(index + RingMessages.MESSAGE_OFFSET,
                length - RingMessages.MESSAGE_OFFSET));
            case RingMessages.OUTPUT_BLOCKED -> subscriptionHandler.onOutputBlocked(connectionId, true);
            case RingMessages.OUTPUT_UNBLOCKED -> subscriptionHandler.onOutputBlocked(connectionId, false);
            case RingMessages.REQUEST ->
            {
                request.wrap(buffer, index + RingMessages.MESSAGE_OFFSET, length - RingMessages.MESSAGE_OFFSET);
                onRequest(connectionId);
            }
            default -> throw new IllegalStateException("unknown inbound message type " + msgTypeId);
        }
        return Action.CONTINUE;
    }

    private void onRequest(final long connectionId)
    {
        final int length = request.capacity();
        final long correlationId = length >= MessageHeaderDecoder.ENCODED_LENGTH + 8 ?
            request.getLong(MessageHeaderDecoder.ENCODED_LENGTH, java.nio.ByteOrder.LITTLE_ENDIAN) : 0;
        if (length < MessageHeaderDecoder.ENCODED_LENGTH + 8)
        {
            counters.onRequest(-1);
            proxy.sendError(connectionId, correlationId, 0, ErrorCode.INVALID_REQUEST, "request shorter than 16 bytes");
            return;
        }
        header.wrap(request, 0);
        final int templateId = header.templateId();
        counters.onRequest(templateId);
        if (header.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.UNKNOWN_REQUEST,
                "unknown schema id " + header.schemaId() + ", expected " + MessageHeaderDecoder.SCHEMA_ID);
            return;
        }
        try
        {
            if (!dispatch(connectionId, templateId))
            {
                proxy.sendError(
                    connectionId, correlationId, templateId, ErrorCode.UNKNOWN_REQUEST, "unknown request type " +
                    templateId);
            }
        }
        catch (final IndexOutOfBoundsException | IllegalArgumentException ex)
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.INVALID_REQUEST,
                "request fields overrun its " + length + " bytes");
        }
    }

    private boolean dispatch(final long connectionId, final int templateId)
    {
        switch (templateId)
        {
            case ProduceRequestDecoder.TEMPLATE_ID -> onProduce(connectionId);
            case FetchRequestDecoder.TEMPLATE_ID -> onFetch(connectionId);
            case GetOffsetsRequestDecoder.TEMPLATE_ID ->
            {
                offsets.wrapAndApplyHeader(request, 0, header);
                final long correlationId = offsets.correlationId();
                final int partition = offsets.partition();
                offsets.wrapTopic(topic);
                fetchHandler.onGetOffsets(connectionId, correlationId, topic, partition);
            }
            case CreateTopicRequestDecoder.TEMPLATE_ID ->
            {
                createTopic.wrapAndApplyHeader(request, 0, header);
                final long correlationId = createTopic.correlationId();
                final int partitions = createTopic.partitions();
                final StorageKind storage = createTopic.storage();
                final long retentionMs =
                    orDefault(createTopic.retentionMs(), CreateTopicRequestDecoder.retentionMsNullValue());
                final long retentionBytes =
                    orDefault(createTopic.retentionBytes(), CreateTopicRequestDecoder.retentionBytesNullValue());
                topicHandler.onCreateTopic(connectionId, correlationId, createTopic.topic(), partitions, storage,
                    retentionMs, retentionBytes);
            }
            case ProxiedRequestDecoder.TEMPLATE_ID -> onProxied(connectionId);
            case ListGroupsRequestDecoder.TEMPLATE_ID -> groupOffsetHandler.onListGroups(
                connectionId, listGroups.wrapAndApplyHeader(request, 0, header).correlationId());
            case DescribeGroupRequestDecoder.TEMPLATE_ID ->
            {
                describeGroup.wrapAndApplyHeader(request, 0, header);
                groupOffsetHandler.onDescribeGroup(connectionId, describeGroup.correlationId(), describeGroup.group());
            }
            case DeleteGroupRequestDecoder.TEMPLATE_ID ->
            {
                deleteGroup.wrapAndApplyHeader(request, 0, header);
                groupOffsetHandler.onDeleteGroup(connectionId, deleteGroup.correlationId(), deleteGroup.group());
            }
            case GroupHeartbeatRequestDecoder.TEMPLATE_ID -> groupOffsetHandler.onGroupHeartbeat(
                connectionId, groupHeartbeat.wrapAndApplyHeader(request, 0, header));
            case InitProducerRequestDecoder.TEMPLATE_ID -> produceHandler.onInitProducer(
                connectionId, initProducer.wrapAndApplyHeader(request, 0, header).correlationId());
            case AlterTopicRequestDecoder.TEMPLATE_ID ->
            {
                alterTopic.wrapAndApplyHeader(request, 0, header);
                final long correlationId = alterTopic.correlationId();
                final long retentionMs = alterTopic.retentionMs();
                final long retentionBytes = alterTopic.retentionBytes();
                alterTopic.wrapTopic(topic);
                topicHandler.onAlterTopic(connectionId, correlationId, topic, retentionMs, retentionBytes);
            }
            case DeleteTopicRequestDecoder.TEMPLATE_ID ->
            {
                deleteTopic.wrapAndApplyHeader(request, 0, header);
                final long correlationId = deleteTopic.correlationId();
                deleteTopic.wrapTopic(topic);
                topicHandler.onDeleteTopic(connectionId, correlationId, topic);
            }
            case ListTopicsRequestDecoder.TEMPLATE_ID ->
                topicHandler.onListTopics(
                    connectionId, listTopics.wrapAndApplyHeader(request, 0, header).correlationId());
            case DescribeTopicRequestDecoder.TEMPLATE_ID ->
            {
                describeTopic.wrapAndApplyHeader(request, 0, header);
                final long correlationId = describeTopic.correlationId();
                describeTopic.wrapTopic(topic);
                topicHandler.onDescribeTopic(connectionId, correlationId, topic);
            }
            case HealthRequestDecoder.TEMPLATE_ID ->
                connectionHandler.onHealth(connectionId, health.wrapAndApplyHeader(request, 0, header).correlationId());
            case AdminRequestDecoder.TEMPLATE_ID ->
            {
                admin.wrapAndApplyHeader(request, 0, header);
                connectionHandler.onAdmin(connectionId, admin.correlationId(), admin.action());
            }
            case ListConnectionsRequestDecoder.TEMPLATE_ID -> connectionHandler.onListConnections(
                connectionId, listConnections.wrapAndApplyHeader(request, 0, header).correlationId());
            case CommitOffsetRequestDecoder.TEMPLATE_ID -> onCommitOffset(connectionId);
            case FetchCommittedOffsetRequestDecoder.TEMPLATE_ID -> onFetchCommittedOffset(connectionId);
            case SubscribeRequestDecoder.TEMPLATE_ID -> onSubscribe(connectionId);
            case UnsubscribeRequestDecoder.TEMPLATE_ID ->
            {
                unsubscribe.wrapAndApplyHeader(request, 0, header);
                subscriptionHandler.onUnsubscribe(
                    connectionId, unsubscribe.correlationId(), unsubscribe.subscriptionId());
            }
            case CreditRequestDecoder.TEMPLATE_ID ->
            {
                credit.wrapAndApplyHeader(request, 0, header);
                subscriptionHandler.onCredit(
                    connectionId, credit.correlationId(), credit.subscriptionId(), credit.creditBytes());
            }
            default ->
            {
                return false;
            }
        }
        return true;
    }

    /**
     * A gateway's request for the caller it authenticated: handled as that principal. Only a gateway's IPC
     * connection may act for another principal.
     */
    private void onProxied(final long connectionId)
    {
        proxied.wrapAndApplyHeader(request, 0, header);
        final long correlationId = proxied.correlationId();
        if (!RingMessages.isIpc(connectionId))
        {
            proxy.sendError(connectionId, correlationId, ProxiedRequestDecoder.TEMPLATE_ID, ErrorCode.NOT_AUTHORIZED,
                "only a gateway's IPC connection may act for another principal");
            return;
        }
        final String principal = proxied.principal();
        final int innerLength = proxied.requestLength();
        final int innerOffset = proxied.limit() + ProxiedRequestDecoder.requestHeaderLength();
        inner.wrap(request, innerOffset, innerLength);
        request.wrap(inner);
        authorizer.actFor(principal);
        try
        {
            onRequest(connectionId);
        }
        finally
        {
            authorizer.actFor(null);
        }
    }

    private void onProduce(final long connectionId)
    {
        produce.wrapAndApplyHeader(request, 0, header);
        final long correlationId = produce.correlationId();
        final int partition = produce.partition();
        final AckLevel ackLevel = produce.ackLevel();
        produce.wrapTopic(topic);
        produce.wrapBatch(batch);
        produceHandler.onProduce(connectionId, correlationId, topic, partition, ackLevel, batch);
    }

    private void onFetch(final long connectionId)
    {
        fetch.wrapAndApplyHeader(request, 0, header);
        final long correlationId = fetch.correlationId();
        final int partition = fetch.partition();
        final long fetchOffset = fetch.fetchOffset();
        final int maxBytes = fetch.maxBytes();
        final int maxWaitMs = fetch.maxWaitMs();
        fetch.wrapTopic(topic);
        fetchHandler.onFetch(connectionId, correlationId, topic, partition, fetchOffset, maxBytes, maxWaitMs);
    }

    private void onCommitOffset(final long connectionId)
    {
        commitOffset.wrapAndApplyHeader(request, 0, header);
        final long correlationId = commitOffset.correlationId();
        final int partition = commitOffset.partition();
        final long offset = commitOffset.committedOffset();
        final int memberEpoch = commitOffset.memberEpoch();
        final String group = commitOffset.group();
        commitOffset.wrapTopic(topic);
        final String memberId = commitOffset.memberId();
        groupOffsetHandler.onCommitOffset(
            connectionId, correlationId, group, topic, partition, offset, memberId, memberEpoch);
    }

    private void onFetchCommittedOffset(final long connectionId)
    {
        committedOffset.wrapAndApplyHeader(request, 0, header);
        final long correlationId = committedOffset.correlationId();
        final int partition = committedOffset.partition();
        final String group = committedOffset.group();
        committedOffset.wrapTopic(topic);
        groupOffsetHandler.onFetchCommittedOffset(connectionId, correlationId, group, topic, partition);
    }

    private void onSubscribe(final long connectionId)
    {
        subscribe.wrapAndApplyHeader(request, 0, header);
        final long correlationId = subscribe.correlationId();
        final int partition = subscribe.partition();
        final long startOffset = subscribe.startOffset();
        final int creditBytes = subscribe.creditBytes();
        subscribe.wrapTopic(topic);
        subscriptionHandler.onSubscribe(connectionId, correlationId, topic, partition, startOffset, creditBytes);
    }

    /**
     * @return the value, or -1 (the broker's default) when a version-1 request did not carry it.
     */
    private static long orDefault(final long value, final long nullValue)
    {
        return nullValue == value ? TopicDescriptor.BROKER_DEFAULT : value;
    }
}
