package io.portask.client;

import io.portask.protocol.ErrorCode;
import io.portask.protocol.link.Reply;
import io.portask.protocol.link.Requests;
import io.portask.protocol.sbe.DeleteGroupResponseDecoder;
import io.portask.protocol.sbe.DescribeGroupResponseDecoder;
import io.portask.protocol.sbe.DescribeTopicResponseDecoder;
import io.portask.protocol.sbe.GetOffsetsResponseDecoder;
import io.portask.protocol.sbe.HealthResponseDecoder;
import io.portask.protocol.sbe.ListConnectionsResponseDecoder;
import io.portask.protocol.sbe.ListGroupsResponseDecoder;
import io.portask.protocol.sbe.ListTopicsResponseDecoder;
import io.portask.protocol.sbe.StorageKind;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Administers topics: create, delete, list, describe; and reads offsets and health.
 * <pre>{@code
 * try (Admin admin = Admin.connect("localhost:7070"))
 * {
 *     admin.createTopic("orders", 4, StorageKind.JOURNAL);
 *     admin.listTopics().forEach(System.out::println);
 * }
 * }</pre>
 * Thread safe; every method blocks until the broker answers or the request times out, and throws a
 * {@link PortaskException} carrying the wire error code when the broker refuses.
 */
public final class Admin implements AutoCloseable
{
    private static final int LEADER_ATTEMPTS = 40;
    private static final long LEADER_RETRY_MS = 250;
    private final ClientConnection connection;

    private Admin(final ClientOptions options)
    {
        connection = new ClientConnection(options, null);
    }

    /**
     * @param bootstrap "host:port" of the broker.
     * @return a connected admin client.
     */
    public static Admin connect(final String bootstrap)
    {
        return connect(ClientOptions.of(bootstrap));
    }

    /**
     * @param options connection settings.
     * @return a connected admin client.
     */
    public static Admin connect(final ClientOptions options)
    {
        final Admin admin = new Admin(options);
        admin.connection.connect();
        return admin;
    }

    /**
     * Create a topic.
     *
     * @param name       1 to 249 of [A-Za-z0-9._-].
     * @param partitions at least 1.
     * @param storage    JOURNAL (durable) or MEMORY (memory only, bounded).
     */
    public void createTopic(final String name, final int partitions, final StorageKind storage)
    {
        createTopic(name, partitions, storage, Retention.DEFAULTS);
    }

    /**
     * Create a topic with a retention of its own.
     *
     * @param name       1 to 249 of [A-Za-z0-9._-].
     * @param partitions at least 1.
     * @param storage    JOURNAL, MEMORY, DRAGONFLY, or REPLICATED (a cluster's: sent to its leader, and retried
     *                   for up to 10 s while an election runs or the leader's link to the cluster connects).
     * @param retention  how long and how much its partitions keep.
     */
    public void createTopic(
        final String name, final int partitions, final StorageKind storage, final Retention retention)
    {
        Retry.until(() -> await(connection.send(
            Requests.createTopic(name, partitions, storage, retention.ms(), retention.bytes()))),
            ex -> ErrorCode.NOT_LEADER == ex.code() || ErrorCode.THROTTLED == ex.code(), LEADER_ATTEMPTS,
            LEADER_RETRY_MS);
    }

    /**
     * Change a topic's retention; it applies from the broker's next retention check (within a second).
     *
     * @param name      topic.
     * @param retention its new retention; {@link Retention#DEFAULTS} to follow the broker's.
     */
    public void alterRetention(final String name, final Retention retention)
    {
        await(connection.send(Requests.alterTopic(name, retention.ms(), retention.bytes())));
    }

    /**
     * Delete a topic and its data.
     *
     * @param name topic to delete.
     */
    public void deleteTopic(final String name)
    {
        await(connection.send(Requests.deleteTopic(name)));
    }

    /**
     * @return every topic, sorted by name.
     */
    public List<TopicListing> listTopics()
    {
        final Reply response = await(connection.send(Requests.listTopics()));
        final ListTopicsResponseDecoder decoder =
            new ListTopicsResponseDecoder().wrapAndApplyHeader(response.buffer(), 0, response.header());
        final List<TopicListing> topics = new ArrayList<>();
        for (final ListTopicsResponseDecoder.TopicsDecoder topic : decoder.topics())
        {
            final int partitions = topic.partitions();
            final StorageKind storage = topic.storage();
            topics.add(new TopicListing(topic.name(), partitions, storage));
        }
        return topics;
    }

    /**
     * @return every consumer group (with members, or committed offsets) and its member count, sorted by name.
     */
    public Map<String, Integer> listGroups()
    {
        final Reply response = await(connection.send(Requests.listGroups()));
        final ListGroupsResponseDecoder decoder =
            new ListGroupsResponseDecoder().wrapAndApplyHeader(response.buffer(), 0, response.header());
        final Map<String, Integer> groups = new TreeMap<>();
        for (final ListGroupsResponseDecoder.GroupsDecoder group : decoder.groups())
        {
            final int members = group.members();
            groups.put(group.name(), members);
        }
        return groups;
    }

    /**
     * Delete a consumer group with no members: its committed offsets go.
     *
     * @param group a consumer group.
     * @return how many partitions' committed offsets were deleted.
     * @throws PortaskException INVALID_REQUEST while it has members, or when there is no such group.
     */
    public int deleteGroup(final String group)
    {
        final Reply response = await(connection.send(Requests.deleteGroup(group)));
        return new DeleteGroupResponseDecoder().wrapAndApplyHeader(response.buffer(), 0, response.header())
            .offsetsDeleted();
    }

    /**
     * @param group a consumer group.
     * @return its members and partitions with their lag.
     */
    public GroupDescription describeGroup(final String group)
    {
        final Reply response = await(connection.send(Requests.describeGroup(group)));
        final DescribeGroupResponseDecoder decoder =
            new DescribeGroupResponseDecoder().wrapAndApplyHeader(response.buffer(), 0, response.header());
        final List<GroupDescription.Member> members = new ArrayList<>();
        for (final DescribeGroupResponseDecoder.MembersDecoder member : decoder.members())
        {
            final int epoch = member.memberEpoch();
            members.add(new GroupDescription.Member(member.memberId(), epoch));
        }
        final List<GroupDescription.PartitionLag> partitions = new ArrayList<>();
        for (final DescribeGroupResponseDecoder.PartitionsDecoder row : decoder.partitions())
        {
            final int partition = row.partition();
            final long committed = row.committedOffset();
            final long end = row.highWatermark();
            final long lag = row.lag();
            final String topic = row.topic();
            partitions.add(new GroupDescription.PartitionLag(topic, partition, row.owner(), committed, end, lag));
        }
        return new GroupDescription(decoder.group(), members, partitions);
    }

    /**
     * @param name topic to describe.
     * @return its storage and each partition's offsets.
     */
    public TopicDescription describeTopic(final String name)
    {
        return await(describeTopicAsync(name));
    }

    /**
     * @param name topic to describe.
     * @return completes with its storage and each partition's offsets.
     */
    public CompletableFuture<TopicDescription> describeTopicAsync(final String name)
    {
        return connection.send(Requests.describeTopic(name)).thenApply(Admin::toDescription);
    }

    static TopicDescription toDescription(final Reply response)
    {
        final DescribeTopicResponseDecoder decoder =
            new DescribeTopicResponseDecoder().wrapAndApplyHeader(response.buffer(), 0, response.header());
        final StorageKind storage = decoder.storage();
        final List<TopicDescription.PartitionInfo> partitions = new ArrayList<>();
        for (final DescribeTopicResponseDecoder.PartitionsDecoder partition : decoder.partitions())
        {
            partitions.add(new TopicDescription.PartitionInfo(
                partition.partition(), partition.logStartOffset(), partition.highWatermark()));
        }
        final Retention retention = new Retention(decoder.retentionMs(), decoder.retentionBytes());
        return new TopicDescription(decoder.topic(), storage, partitions, retention);
    }

    /**
     * @param topicPartition partition to ask about.
     * @return {logStartOffset, highWatermark}.
     */
    public long[] offsets(final TopicPartition topicPartition)
    {
        final Reply response = await(connection.send(Requests.getOffsets(
            topicPartition.topic(), topicPartition.partition())));
        final GetOffsetsResponseDecoder decoder =
            new GetOffsetsResponseDecoder().wrapAndApplyHeader(response.buffer(), 0, response.header());
        return new long[]{ decoder.logStartOffset(), decoder.highWatermark() };
    }

    /**
     * @return the broker's open connections, one line each: "ID KIND REMOTE since OPENED_AT_MS".
     */
    public List<String> listConnections()
    {
        final Reply response = await(connection.send(Requests.listConnections()));
        final ListConnectionsResponseDecoder decoder =
            new ListConnectionsResponseDecoder().wrapAndApplyHeader(response.buffer(), 0, response.header());
        final List<String> connections = new ArrayList<>();
        for (final ListConnectionsResponseDecoder.ConnectionsDecoder entry : decoder.connections())
        {
            final long id = entry.connectionId();
            final long openedAtMs = entry.openedAtMs();
            final String kind = entry.kind().name().toLowerCase(java.util.Locale.ROOT);
            connections.add(id + " " + kind + " " + entry.remote() + " since " + openedAtMs);
        }
        return connections;
    }

    /**
     * @return the broker's wall clock in epoch ms, proving it answers.
     */
    public long health()
    {
        final Reply response = await(connection.send(Requests.health()));
        return new HealthResponseDecoder().wrapAndApplyHeader(response.buffer(), 0, response.header()).brokerTimeMs();
    }

    /**
     * @return the broker's place in its cluster, or null when it is not a cluster node.
     */
    public ClusterMember clusterMember()
    {
        final Reply response = await(connection.send(Requests.health()));
        final HealthResponseDecoder decoder =
            new HealthResponseDecoder().wrapAndApplyHeader(response.buffer(), 0, response.header());
        return decoder.clusterNode() < 0 ? null :
            new ClusterMember(decoder.clusterNode(), decoder.clusterLeader(), decoder.clusterLogPosition());
    }

    static <T> T await(final CompletableFuture<T> future)
    {
        try
        {
            return future.join();
        }
        catch (final CompletionException | java.util.concurrent.CancellationException ex)
        {
            throw PortaskException.from(ex);
        }
    }

    /**
     * Close the connection.
     */
    public void close()
    {
        connection.close();
    }
}
