package io.portask.client;

import io.portask.protocol.CompressionPolicy;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.AckLevel;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link Producer}'s shipping side: the sender thread takes ready batches and ships them, up to {@code
 * maxInFlight} pipelined, settles them from the answers, and retries a retriable failure after a backoff (on a
 * scheduler thread) until the delivery timeout. A caller may ship the next batch itself ({@link #shipNow}).
 * <p>
 * Threading: {@link #ship} from the sender thread or a caller; answers settle on the connection's reading thread.
 */
final class ProducerSender
{
    private final ClientConnection connection;
    private final ProducerBatches batches;
    private final ProducerSequences sequences;
    private final CompressionPolicy compressor;
    private final AckLevel ackLevel;
    private final Semaphore inFlight;
    private final long lingerNs;
    private final int retries;
    private final long retryBackoffMs;
    private final long deliveryTimeoutNs;
    private final ScheduledExecutorService retryScheduler;
    private final Thread sender;
    private volatile boolean running = true;
    private final ProducerBatch.Shipper answers = new ProducerBatch.Shipper()
    {
        public void onAnswer(final ProducerBatch batch, final long baseOffset)
        {
            inFlight.release();
            batch.complete(baseOffset);
            settled(batch, false);
        }

        public void onFailure(final ProducerBatch batch, final Throwable error)
        {
            inFlight.release();
            ProducerSender.this.onFailure(batch, PortaskException.from(error));
        }
    };

    ProducerSender(
        final ClientConnection connection, final ProducerBatches batches, final ProducerSequences sequences,
        final CompressionPolicy compressor, final AckLevel ackLevel, final int maxInFlight, final long lingerNs,
        final int retries, final long retryBackoffMs, final long deliveryTimeoutNs, final ClientOptions options)
    {
        this.connection = connection;
        this.batches = batches;
        this.sequences = sequences;
        this.compressor = compressor;
        this.ackLevel = ackLevel;
        this.inFlight = new Semaphore(maxInFlight);
        this.lingerNs = lingerNs;
        this.retries = retries;
        this.retryBackoffMs = retryBackoffMs;
        this.deliveryTimeoutNs = deliveryTimeoutNs;
        this.retryScheduler = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "portask-producer-retry");
            thread.setDaemon(true);
            return thread;
        });
        this.sender = options.newThread(this::run, "portask-producer-sender");
        this.sender.start();
    }

    boolean running()
    {
        return running;
    }

    void wake()
    {
        LockSupport.unpark(sender);
    }

    /**
     * Ship the next ready batch on the calling thread.
     *
     * @return false when none was ready (the sender thread may have taken it).
     */
    boolean shipNow()
    {
        final ProducerBatch batch = batches.next(false);
        if (null == batch)
        {
            return false;
        }
        inFlight.acquireUninterruptibly();
        ship(batch);
        return true;
    }

    /**
     * Stop once every outstanding record is settled (or 5 s passed), and stop retrying.
     */
    void close()
    {
        running = false;
        wake();
        try
        {
            sender.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        retryScheduler.shutdownNow();
    }

    private void run()
    {
        while (running || batches.outstanding() > 0)
        {
            final ProducerBatch batch = batches.next(!running);
            if (null == batch)
            {
                LockSupport.parkNanos(lingerNs > 0 ? Math.min(lingerNs, 1_000_000) : 1_000_000);
                continue;
            }
            inFlight.acquireUninterruptibly();
            ship(batch);
        }
    }

    private void settled(final ProducerBatch batch, final boolean failedForGood)
    {
        // wake the sender only for a batch waiting to ship (say, the partition's next, held back by idempotence):
        // an unpark per answer is a wake-up the caller's core pays for
        if (batches.settled(batch, failedForGood))
        {
            wake();
        }
    }

    private void ship(final ProducerBatch batch)
    {
        try
        {
            batch.seal(compressor, sequences);
        }
        catch (final PortaskException ex)
        {
            inFlight.release();
            onFailure(batch, ex);
            return;
        }
        batch.shipping(ackLevel, answers);
        if (AckLevel.NONE == ackLevel)
        {
            try
            {
                connection.sendOneWay(batch);
                batch.complete(-1);
                settled(batch, false);
            }
            catch (final PortaskException ex)
            {
                onFailure(batch, ex);
            }
            finally
            {
                inFlight.release();
            }
            return;
        }
        connection.send(batch, batch); // the batch encodes itself and hears its answer: nothing allocated
    }

    private void onFailure(final ProducerBatch batch, final PortaskException error)
    {
        if (System.nanoTime() - batch.createdNs >= deliveryTimeoutNs)
        {
            batch.fail(new PortaskException(ErrorCode.REQUEST_TIMEOUT, "not delivered within the delivery timeout " +
                TimeUnit.NANOSECONDS.toMillis(deliveryTimeoutNs) + " ms; last error: " + error.getMessage(), error));
            settled(batch, true);
            return;
        }
        if (error.isRetriable() && batch.attempts < retries && running)
        {
            batch.attempts++;
            retryScheduler.schedule(() ->
            {
                batches.retry(batch);
                wake();
            }, retryBackoffMs << Math.min(batch.attempts - 1, 6), TimeUnit.MILLISECONDS);
            return;
        }
        batch.fail(error);
        settled(batch, true);
    }
}
