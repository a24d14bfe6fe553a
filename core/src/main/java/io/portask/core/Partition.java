package io.portask.core;

import io.portask.protocol.CounterFactory;
import io.portask.protocol.CounterIds;
import io.portask.storage.spi.PartitionLog;
import org.agrona.CloseHelper;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * One topic-partition as the core agent sees it: its log and its counter. Owned by the core agent.
 */
final class Partition implements AutoCloseable
{
    final Topic topic;
    final int index;
    final PartitionLog log;
    final AtomicCounter recordsAppended;
    final AtomicCounter highWatermark;
    final AtomicCounter bytesAppended;
    final AtomicCounter logStartOffset;
    /** Committed offsets of consumer groups, by interned group id; written by the group offset handler only. */
    final Long2LongHashMap committedOffsets = new Long2LongHashMap(-1);
    /** Lag counters of the groups with a committed offset here, by interned group id; the group handler's. */
    final Int2ObjectHashMap<AtomicCounter> groupLag = new Int2ObjectHashMap<>();
    final CounterFactory counterFactory;
    /** Idempotent producers' last batches; written by the produce handler only. */
    final ProducerStates producers = new ProducerStates();

    Partition(final Topic topic, final int index, final PartitionLog log, final CounterFactory counters)
    {
        this.topic = topic;
        this.index = index;
        this.log = log;
        this.counterFactory = counters;
        final String name = topic.name() + "/" + index;
        this.recordsAppended = counters.newCounter(
            CounterIds.RECORDS_APPENDED, topic.name(), index, null, "records appended: " + name);
        this.highWatermark = counters.newCounter(
            CounterIds.HIGH_WATERMARK, topic.name(), index, null, "high watermark: " + name);
        this.bytesAppended = counters.newCounter(
            CounterIds.BYTES_APPENDED, topic.name(), index, null, "bytes appended: " + name);
        this.logStartOffset = counters.newCounter(
            CounterIds.LOG_START_OFFSET, topic.name(), index, null, "log start: " + name);
        this.highWatermark.setRelease(log.highWatermark());
        this.logStartOffset.setRelease(log.logStartOffset());
        log.replayProducerBatches(producers::onAppended);
    }

    void onAppended(final int records, final int bytes)
    {
        recordsAppended.getAndAddRelease(records);
        bytesAppended.getAndAddRelease(bytes);
        highWatermark.setRelease(log.highWatermark());
    }

    public void close()
    {
        CloseHelper.closeAll(recordsAppended, highWatermark, bytesAppended, logStartOffset);
        CloseHelper.closeAll(groupLag.values());
        log.close();
    }
}
