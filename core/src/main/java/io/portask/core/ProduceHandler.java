package io.portask.core;

import io.portask.core.acl.Acl;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.RecordBatch;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.InitProducerRequestDecoder;
import io.portask.protocol.sbe.ProduceRequestDecoder;
import io.portask.storage.spi.BrokerStore;
import io.portask.storage.spi.PartitionLog;
import io.portask.storage.spi.PartitionLogException;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.NanoClock;

/**
 * Produce requests and their acks: validate the batch, append it, and answer when the partition's log says the
 * ack level is met ({@link PartitionLog#ackPoint}): at once, after the duty cycle's group-committed flush, or when
 * the records become visible (a Dragonfly-only log's confirmation).
 * <p>
 * Threading: the core agent's thread only.
 */
final class ProduceHandler
{
    private final TopicLookup lookup;
    private final ResponseProxy proxy;
    private final int maxBatchLength;
    private final int maxUncompressedLength;
    private final PendingAcks syncAcks;
    private final PendingAcks visibleAcks;
    private final RecordBatch batchFlyweight = new RecordBatch();
    private final CoreCounters counters;
    private final BrokerStore store;
    private final NanoClock nanoClock;
    private final NanoClock cycleClock;
    private final ReplicatedWrites replicated;

    ProduceHandler(
        final TopicLookup lookup,
        final ResponseProxy proxy,
        final CoreCounters counters,
        final ErrorHandler errorHandler,
        final int maxBatchLength,
        final BrokerStore store,
        final NanoClock nanoClock,
        final NanoClock cycleClock,
        final ReplicatedWrites replicated)
    {
        this.replicated = replicated;
        this.nanoClock = nanoClock;
        this.cycleClock = cycleClock;
        this.lookup = lookup;
        this.counters = counters;
        this.store = store;
        this.proxy = proxy;
        this.maxBatchLength = maxBatchLength;
        this.maxUncompressedLength = maxBatchLength - RecordBatch.HEADER_LENGTH;
        this.syncAcks = new PendingAcks(
            proxy, counters, errorHandler, "topic deleted before its SYNC ack", nanoClock, cycleClock);
        this.visibleAcks = new PendingAcks(proxy, counters, errorHandler,
            "topic deleted before its storage confirmed the records", nanoClock, cycleClock);
    }

    void onProduce(
        final long connectionId,
        final long correlationId,
        final DirectBuffer topicName,
        final int partitionIndex,
        final AckLevel ackLevel,
        final MutableDirectBuffer batch)
    {
        final int templateId = ProduceRequestDecoder.TEMPLATE_ID;
        if (AckLevel.NULL_VAL == ackLevel)
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.INVALID_REQUEST, "unknown ack level");
            return;
        }
        if (replicated.unknownOnFollower(connectionId, correlationId, templateId, topicName))
        {
            return;
        }
        final Partition partition = lookup.findPartition(
            connectionId, correlationId, templateId, topicName, partitionIndex, Acl.Operation.PRODUCE);
        if (null == partition)
        {
            return;
        }
        final int length = batch.capacity();
        if (length > maxBatchLength)
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.MESSAGE_TOO_LARGE,
                "record batch of " + length + " bytes exceeds the largest accepted, " + maxBatchLength);
            return;
        }
        // a compressed batch is checked without decompressing: its records may claim no more than an
        // uncompressed batch could hold
        if (ErrorCode.NONE != batchFlyweight.wrap(batch, 0, length).validate(maxUncompressedLength))
        {
            proxy.sendError(connectionId, correlationId, templateId, ErrorCode.CORRUPT_MESSAGE,
                "record batch failed its length, CRC, record structure or compression check");
            return;
        }
        final int recordCount = batchFlyweight.recordCount();
        final boolean idempotent = batchFlyweight.hasProducer();
        if (ReplicatedWrites.isReplicated(partition))
        {
            replicated.produce(connectionId, correlationId, partition, ackLevel, idempotent ?
                batchFlyweight.producerId() : -1, batchFlyweight.baseSequence(), recordCount, batch, length);
            return;
        }
        if (idempotent && !checkSequence(connectionId, correlationId, partition, ackLevel, recordCount))
        {
            return;
        }
        final long baseOffset;
        try
        {
            baseOffset = partition.log.append(batch, 0, length);
        }
        catch (final PartitionLogException ex)
        {
            lookup.onStorageError(connectionId, correlationId, templateId, ex);
            return;
        }
        partition.onAppended(recordCount, length);
        if (idempotent)
        {
            partition.producers.onAppended(batchFlyweight.producerId(), batchFlyweight.producerEpoch(),
                batchFlyweight.baseSequence(), recordCount, baseOffset, batchFlyweight.firstTimestamp());
        }
        if (AckLevel.NONE != ackLevel)
        {
            ack(connectionId, correlationId, partition, ackLevel, baseOffset, recordCount);
        }
    }

    /**
     * An idempotent producer's batch: store it when it follows the producer's last one; answer one sent again
     * with the offset it was stored at (no second copy); refuse a gap, a reordering or an older epoch.
     *
     * @return true to store the batch.
     */
    private boolean checkSequence(
        final long connectionId,
        final long correlationId,
        final Partition partition,
        final AckLevel ackLevel,
        final int recordCount)
    {
        final long producerId = batchFlyweight.producerId();
        final long verdict = partition.producers.check(
            producerId, batchFlyweight.producerEpoch(), batchFlyweight.baseSequence(), recordCount);
        if (ProducerStates.APPEND == verdict)
        {
            return true;
        }
        if (verdict >= 0)
        {
            counters.duplicateBatches().incrementRelease();
            if (AckLevel.NONE != ackLevel)
            {
                ack(connectionId, correlationId, partition, ackLevel, verdict, recordCount);
            }
            return false;
        }
        final boolean fenced = ProducerStates.FENCED == verdict;
        proxy.sendError(connectionId, correlationId, ProduceRequestDecoder.TEMPLATE_ID,
            fenced ? ErrorCode.PRODUCER_FENCED : ErrorCode.OUT_OF_ORDER_SEQUENCE,
            fenced ? "producer " + producerId + " epoch " + batchFlyweight.producerEpoch() + " is fenced by a newer " +
            "epoch on " + partition.topic.name() + "/" + partition.index :
            "producer " + producerId + " sent sequence " + batchFlyweight.baseSequence() + " out of order on " +
            partition.topic.name() + "/" + partition.index);
        return false;
    }

    /**
     * Hand out a new idempotent producer id (epoch 0).
     */
    void onInitProducer(final long connectionId, final long correlationId)
    {
        final long producerId;
        try
        {
            producerId = replicated.producerId(store.nextProducerId());
        }
        catch (final PartitionLogException ex)
        {
            lookup.onStorageError(connectionId, correlationId, InitProducerRequestDecoder.TEMPLATE_ID, ex);
            return;
        }
        proxy.sendInitProducer(connectionId, correlationId, producerId, (short)0);
    }

    private void ack(
        final long connectionId,
        final long correlationId,
        final Partition partition,
        final AckLevel ackLevel,
        final long baseOffset,
        final int recordCount)
    {
        switch (partition.log.ackPoint(ackLevel))
        {
            case NOW ->
            {
                proxy.sendProduce(connectionId, correlationId, partition.index, baseOffset, recordCount);
                counters.produceAckLatency().record(nanoClock.nanoTime() - cycleClock.nanoTime());
            }
            case AFTER_SYNC -> syncAcks.add(connectionId, correlationId, partition, baseOffset, recordCount);
            case WHEN_VISIBLE -> visibleAcks.add(connectionId, correlationId, partition, baseOffset, recordCount);
            default -> throw new IllegalStateException("unknown ack point of " + partition.log);
        }
    }

    /**
     * Duty cycle: flush the partitions with held SYNC acks and answer them; answer acks whose records became
     * visible.
     *
     * @return acks answered.
     */
    int doWork()
    {
        return syncAcks.flush() + visibleAcks.answerConfirmed();
    }

    /**
     * @return the writes to replicated topics (and the cluster's state, for Health).
     */
    ReplicatedWrites replicated()
    {
        return replicated;
    }

    void onConnectionClosed(final long connectionId)
    {
        syncAcks.dropConnection(connectionId);
        visibleAcks.dropConnection(connectionId);
    }

    void onTopicDeleted(final Topic topic)
    {
        syncAcks.dropTopic(topic);
        visibleAcks.dropTopic(topic);
    }
}
