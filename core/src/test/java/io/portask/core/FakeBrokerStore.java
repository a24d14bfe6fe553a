package io.portask.core;

import io.portask.protocol.RecordBatch;
import io.portask.storage.spi.BrokerStore;
import io.portask.storage.spi.PartitionLog;
import io.portask.storage.spi.PartitionLogException;
import io.portask.storage.spi.TopicDescriptor;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory {@link BrokerStore} for the core's handler tests: what it holds outlives {@link #close()}, so a
 * test can close the agent and open a new one on the same store, as a broker restarts on the same data folder.
 * {@link #failNextAppend} makes the next append fail as a full disk would.
 */
final class FakeBrokerStore implements BrokerStore
{
    private long producerIds;
    private final Map<String, TopicDescriptor> topics = new LinkedHashMap<>();
    private final Map<String, List<byte[]>> batches = new HashMap<>();
    private final Map<String, Long> committed = new LinkedHashMap<>();
    private final Map<String, byte[]> members = new LinkedHashMap<>();
    int syncs;
    boolean failNextAppend;

    public List<TopicDescriptor> loadTopics()
    {
        return new ArrayList<>(topics.values());
    }

    public void createTopic(final TopicDescriptor topic)
    {
        topics.put(topic.name(), topic);
    }

    public void alterTopic(final TopicDescriptor topic)
    {
        topics.put(topic.name(), topic);
    }

    public long nextProducerId()
    {
        return ++producerIds;
    }

    public PartitionLog openPartition(final TopicDescriptor topic, final int partition)
    {
        return new Log(batches.computeIfAbsent(topic.name() + "/" + partition, name -> new ArrayList<>()));
    }

    public void deleteTopic(final TopicDescriptor topic)
    {
        topics.remove(topic.name());
        batches.keySet().removeIf(name -> name.startsWith(topic.name() + "/"));
        committed.keySet().removeIf(key -> key.split("\u0000")[1].equals(topic.name()));
    }

    public void commitOffset(final String group, final String topic, final int partition, final long offset)
    {
        committed.put(group + "\u0000" + topic + "\u0000" + partition, offset);
    }

    public void storeGroupMember(final String group, final String memberId, final byte[] state)
    {
        if (null == state)
        {
            members.remove(group + "\u0000" + memberId);
        }
        else
        {
            members.put(group + "\u0000" + memberId, state);
        }
    }

    public void deleteGroup(final String group)
    {
        committed.keySet().removeIf(key -> key.startsWith(group + "\u0000"));
        members.keySet().removeIf(key -> key.startsWith(group + "\u0000"));
    }

    public void loadGroups(final CommittedOffsetConsumer offsets, final GroupMemberConsumer groupMembers)
    {
        committed.forEach((key, offset) ->
        {
            final String[] parts = key.split("\u0000");
            offsets.accept(parts[0], parts[1], Integer.parseInt(parts[2]), offset);
        });
        members.forEach((key, state) ->
        {
            final String[] parts = key.split("\u0000");
            groupMembers.accept(parts[0], parts[1], state);
        });
    }

    public void close()
    {
    }

    private final class Log implements PartitionLog
    {
        private final List<byte[]> held;

        private Log(final List<byte[]> held)
        {
            this.held = held;
        }

        public long append(final MutableDirectBuffer batch, final int offset, final int length)
        {
            if (failNextAppend)
            {
                failNextAppend = false;
                throw new PartitionLogException("disk full (fake)");
            }
            final long baseOffset = highWatermark();
            RecordBatch.baseOffset(batch, offset, baseOffset);
            final byte[] copy = new byte[length];
            batch.getBytes(offset, copy);
            held.add(copy);
            return baseOffset;
        }

        public int read(
            final long fromOffset,
            final int maxBytes,
            final MutableDirectBuffer dst,
            final int dstOffset,
            final int dstCapacity)
        {
            int written = 0;
            for (final byte[] batch : held)
            {
                final UnsafeBuffer view = new UnsafeBuffer(batch);
                if (RecordBatch.baseOffset(view, 0) + RecordBatch.recordCount(view, 0) <= fromOffset)
                {
                    continue;
                }
                if (written > 0 && written + batch.length > maxBytes || written + batch.length > dstCapacity)
                {
                    break;
                }
                dst.putBytes(dstOffset + written, batch);
                written += batch.length;
            }
            return written;
        }

        public long logStartOffset()
        {
            return 0;
        }

        public long highWatermark()
        {
            if (held.isEmpty())
            {
                return 0;
            }
            final UnsafeBuffer last = new UnsafeBuffer(held.get(
                held.size() - 1));
            return RecordBatch.baseOffset(last, 0) + RecordBatch.recordCount(last, 0);
        }

        public void sync()
        {
            syncs++;
        }

        public void close()
        {
        }
    }
}
