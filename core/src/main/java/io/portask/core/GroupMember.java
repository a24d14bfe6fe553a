package io.portask.core;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.TreeSet;

/**
 * A member of a consumer group as the coordinator knows it, and its durable form: what a broker restart must keep
 * so the member carries on with its id, epoch and partitions (its last heartbeat time is not kept: a restored member
 * gets a whole session timeout to come back).
 * <p>
 * Threading: the core agent only.
 */
final class GroupMember
{
    private static final byte VERSION = 1;

    final String id;
    String instanceId = "";
    String assignor = "";
    int epoch;
    int sessionTimeoutMs = 45_000;
    long lastHeartbeatMs;
    TreeSet<String> subscribed = new TreeSet<>();
    /** What the member was last told it owns. */
    final TreeSet<TopicPartitionKey> assigned = new TreeSet<>();
    /** Its state as last stored, to store only changes. */
    byte[] stored;

    GroupMember(final String id)
    {
        this.id = id;
    }

    /** A topic and partition, ordered by topic then partition. */
    record TopicPartitionKey(String topic, int partition) implements Comparable<TopicPartitionKey>
    {
        public int compareTo(final TopicPartitionKey other)
        {
            final int byTopic = topic.compareTo(other.topic);
            return 0 != byTopic ? byTopic : Integer.compare(partition, other.partition);
        }
    }

    /**
     * @return the durable state: version, instance id, assignor, epoch, session timeout, subscribed topics, assigned
     *         partitions.
     */
    byte[] encode()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes))
        {
            out.writeByte(VERSION);
            out.writeUTF(instanceId);
            out.writeUTF(assignor);
            out.writeInt(epoch);
            out.writeInt(sessionTimeoutMs);
            out.writeInt(subscribed.size());
            for (final String topic : subscribed)
            {
                out.writeUTF(topic);
            }
            out.writeInt(assigned.size());
            for (final TopicPartitionKey tp : assigned)
            {
                out.writeUTF(tp.topic());
                out.writeInt(tp.partition());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    static GroupMember decode(final String id, final byte[] state)
    {
        final GroupMember member = new GroupMember(id);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state)))
        {
            final byte version = in.readByte();
            if (VERSION != version)
            {
                throw new IllegalStateException("group member " + id + ": unknown state version " + version);
            }
            member.instanceId = in.readUTF();
            member.assignor = in.readUTF();
            member.epoch = in.readInt();
            member.sessionTimeoutMs = in.readInt();
            for (int i = in.readInt(); i > 0; i--)
            {
                member.subscribed.add(in.readUTF());
            }
            for (int i = in.readInt(); i > 0; i--)
            {
                member.assigned.add(new TopicPartitionKey(in.readUTF(), in.readInt()));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("group member " + id + ": damaged state", ex);
        }
        member.stored = state;
        return member;
    }
}
