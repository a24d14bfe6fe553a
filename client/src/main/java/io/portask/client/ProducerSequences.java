package io.portask.client;

import io.portask.protocol.link.Reply;
import io.portask.protocol.link.Requests;
import io.portask.protocol.sbe.InitProducerResponseDecoder;
import org.agrona.collections.Object2IntHashMap;
import org.agrona.collections.Object2ObjectHashMap;

/**
 * An idempotent producer's side of exactly-once appends (Kafka's {@code enable.idempotence}): the producer id and
 * epoch from InitProducer, the next sequence of each partition (given to a batch when it is first sealed, kept by
 * its retries), and one batch in flight per partition, so a retry can never be overtaken and the broker can tell a
 * batch sent again from a new one. A batch that fails for good leaves a gap in its partition's sequences: the next
 * batch then starts a new producer id.
 * <p>
 * Threading: {@link #mayShip}, {@link #shipping} and {@link #done} under the producer's lock; sequences on its
 * sender thread.
 */
final class ProducerSequences
{
    private final boolean enabled;
    private final Object2IntHashMap<TopicPartition> nextSequences = new Object2IntHashMap<>(-1);
    private final Object2ObjectHashMap<TopicPartition, ProducerBatch> inFlight = new Object2ObjectHashMap<>();
    private ClientConnection connection;
    private long producerId = -1;
    private short epoch;
    private volatile boolean renew;

    ProducerSequences(final boolean enabled)
    {
        this.enabled = enabled;
    }

    boolean enabled()
    {
        return enabled;
    }

    /**
     * Get a producer id from the broker.
     *
     * @param connection the producer's connection.
     */
    void init(final ClientConnection connection)
    {
        this.connection = connection;
        if (enabled)
        {
            renewProducerId();
        }
    }

    /**
     * InitProducer, tried again while the error is retriable (a connection lost in the middle), for up to 30 s.
     */
    private void renewProducerId()
    {
        final Reply reply = Retry.until(() -> connection.await(connection.send(Requests.initProducer())),
            PortaskException::isRetriable, 300, 100);
        final InitProducerResponseDecoder decoder =
            new InitProducerResponseDecoder().wrapAndApplyHeader(reply.buffer(), 0, reply.header());
        producerId = decoder.producerId();
        epoch = decoder.producerEpoch();
        nextSequences.clear();
        renew = false;
    }

    /**
     * @return true when the batch may go now: no other batch of its partition is in flight.
     */
    boolean mayShip(final ProducerBatch batch)
    {
        final ProducerBatch current = inFlight.get(batch.topicPartition);
        return !enabled || null == current || current == batch;
    }

    void shipping(final ProducerBatch batch)
    {
        if (enabled)
        {
            inFlight.put(batch.topicPartition, batch);
        }
    }

    /**
     * @param batch          a batch answered, or failed for good.
     * @param failedForGood  true when it will not be sent again: its sequences are a gap now.
     */
    void done(final ProducerBatch batch, final boolean failedForGood)
    {
        if (enabled)
        {
            if (inFlight.get(batch.topicPartition) == batch)
            {
                inFlight.remove(batch.topicPartition);
            }
            renew |= failedForGood;
        }
    }

    /**
     * Sender thread: seal a batch for the first time.
     *
     * @param batch the batch.
     * @return its length.
     */
    int seal(final ProducerBatch batch)
    {
        if (!enabled)
        {
            return batch.writer.seal();
        }
        if (renew)
        {
            renewProducerId();
        }
        final int baseSequence = Math.max(0, nextSequences.getValue(batch.topicPartition)); // -1: none yet
        nextSequences.put(batch.topicPartition, (int)(((long)baseSequence + batch.waiters.size()) %
            ((long)Integer.MAX_VALUE + 1)));
        return batch.writer.seal(producerId, epoch, baseSequence);
    }
}
