package io.portask.client;

import io.portask.protocol.link.Reply;
import io.portask.protocol.link.Requests;
import io.portask.protocol.sbe.FetchCommittedOffsetResponseDecoder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A consumer's committed offsets in its group: commits (fenced by the member's epoch when it is subscribed, so a
 * zombie's commit is refused), reads, and auto-commit on poll at an interval.
 * <p>
 * Threading: the consumer's poll thread; answers complete on the connection's reader thread.
 */
final class GroupCommits
{
    private final ClientConnection connection;
    private final String group;
    private final long autoCommitIntervalNs;
    private GroupMembership membership;
    private long nextAutoCommitNs;

    /**
     * @param autoCommitIntervalMs commit positions from poll this often; 0 for never.
     */
    GroupCommits(final ClientConnection connection, final String group, final long autoCommitIntervalMs)
    {
        this.connection = connection;
        this.group = group;
        this.autoCommitIntervalNs = TimeUnit.MILLISECONDS.toNanos(autoCommitIntervalMs);
        this.nextAutoCommitNs = System.nanoTime() + autoCommitIntervalNs;
    }

    void membership(final GroupMembership membership)
    {
        this.membership = membership;
    }

    boolean autoCommit()
    {
        return autoCommitIntervalNs > 0;
    }

    /**
     * Commit these positions in the background when the auto-commit interval has passed.
     */
    void maybeAutoCommit(final Map<TopicPartition, Long> positions)
    {
        final long nowNs = System.nanoTime();
        if (autoCommit() && nowNs >= nextAutoCommitNs)
        {
            nextAutoCommitNs = nowNs + autoCommitIntervalNs;
            commitAsync(positions);
        }
    }

    CompletableFuture<Void> commitAsync(final Map<TopicPartition, Long> positions)
    {
        final List<CompletableFuture<Reply>> sent = new ArrayList<>(positions.size());
        positions.forEach((partition, offset) -> sent.add(send(partition, offset)));
        return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
    }

    void commit(final TopicPartition partition, final long offset)
    {
        connection.await(send(partition, offset));
    }

    long committed(final TopicPartition partition)
    {
        final Reply response = connection.await(connection.send(Requests.fetchCommittedOffset(
            group, partition.topic(), partition.partition())));
        return new FetchCommittedOffsetResponseDecoder()
            .wrapAndApplyHeader(response.buffer(), 0, response.header()).committedOffset();
    }

    private CompletableFuture<Reply> send(final TopicPartition partition, final long offset)
    {
        return connection.send(null == membership ?
            Requests.commitOffset(group, partition.topic(), partition.partition(), offset) :
            Requests.commitOffset(group, partition.topic(), partition.partition(), offset, membership.memberId(),
            membership.memberEpoch()));
    }
}
