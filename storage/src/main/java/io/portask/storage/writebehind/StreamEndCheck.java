package io.portask.storage.writebehind;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Queue;

/**
 * Finds out where the partitions' streams end, asynchronously: the server is asked who it is every probe interval
 * and at once after any (re)connection; after a new connection or a server
 * restart (a new run_id) every stream's last entry is read. A stream that ends short of what was confirmed lost
 * data and is rewritten. A new Dragonfly-only partition has only its own stream read, to learn where it resumes.
 * An idle partition sends nothing, so without this a server restarted empty would go unnoticed until the next
 * write.
 * <p>
 * Threading: the write-behind agent only; Lettuce's threads only queue the completions as events.
 */
final class StreamEndCheck
{
    private static final Logger LOG = LoggerFactory.getLogger(StreamEndCheck.class);

    /** The server's INFO answer. */
    record Probed(String info, Throwable error)
    {
    }

    /** A stream's last entry, read for a writer whose expected top was {@code expectedTop}. */
    record StreamEnd(StreamWriter writer, String expectedTop, List<StreamMessage<byte[], byte[]>> last,
        Throwable error)
    {
    }

    /** What the check needs of the agent. */
    interface Owner
    {
        void resync(StreamWriter writer, String top);

        void onFailure(int connectionIndex, Throwable error, String what);

        void onStreamEndFound(StreamWriter writer, String top);
    }

    private final Queue<Object> events;
    private final List<StreamWriter> writers;
    private final Owner owner;
    private final ErrorHandler errorHandler;
    private final AtomicCounter dataLosses;
    private final String server;
    private final long probeIntervalNs;
    private long nextProbeNs;
    private boolean probeInFlight;
    private boolean verifyPending = true;
    private boolean awaitedPending;
    private String runId;
    private String previousRunId;
    private int streamChecksInFlight;
    private int streamsBehind;

    StreamEndCheck(
        final Queue<Object> events,
        final List<StreamWriter> writers,
        final Owner owner,
        final ErrorHandler errorHandler,
        final AtomicCounter dataLosses,
        final String server,
        final long probeIntervalNs)
    {
        this.events = events;
        this.writers = writers;
        this.owner = owner;
        this.errorHandler = errorHandler;
        this.dataLosses = dataLosses;
        this.server = server;
        this.probeIntervalNs = probeIntervalNs;
    }

    /**
     * Read every stream's end at the next chance: after a (re)connection.
     */
    void verifySoon()
    {
        verifyPending = true;
    }

    /**
     * Read the ends of the streams of partitions waiting to be ready ({@link StreamWriter#awaitsStreamEnd()}) at
     * the next chance, and only those.
     */
    void resolveSoon()
    {
        awaitedPending = true;
    }

    int probe(final StatefulRedisConnection<byte[], byte[]> connection, final long nowNs)
    {
        if (null == connection || probeInFlight || streamChecksInFlight > 0)
        {
            return 0;
        }
        if (awaitedPending && !verifyPending)
        {
            awaitedPending = false;
            readStreamEnds(connection, true);
            return 1;
        }
        if (!verifyPending && nowNs - nextProbeNs < 0)
        {
            return 0;
        }
        probeInFlight = true;
        nextProbeNs = nowNs + probeIntervalNs;
        connection.async().info("server").whenComplete((info, error) -> events.offer(new Probed(info, error)));
        connection.flushCommands();
        return 1;
    }

    void onProbed(final Probed probed, final StatefulRedisConnection<byte[], byte[]> connection)
    {
        probeInFlight = false;
        if (null != probed.error())
        {
            owner.onFailure(0, probed.error(), "write-behind probe of Dragonfly failed");
            return;
        }
        final String id = infoField(probed.info(), "run_id");
        final boolean restarted = null != runId && null != id && !runId.equals(id);
        if (restarted)
        {
            previousRunId = runId;
        }
        runId = id;
        if ((restarted || verifyPending) && null != connection)
        {
            verifyPending = false;
            awaitedPending = false;
            readStreamEnds(connection, false);
        }
    }

    private void readStreamEnds(final StatefulRedisConnection<byte[], byte[]> connection, final boolean awaitedOnly)
    {
        streamsBehind = 0;
        for (final StreamWriter writer : writers)
        {
            if (writer.closed || writer.inFlight || AppendScript.RESET.equals(writer.expectedTop) ||
                (awaitedOnly && !writer.awaitsStreamEnd()))
            {
                continue;
            }
            final String expected = writer.expectedTop;
            streamChecksInFlight++;
            connection.async().xrevrange(writer.key, Range.create("-", "+"), Limit.from(1)).whenComplete(
                (last, error) -> events.offer(new StreamEnd(writer, expected, last, error)));
        }
        connection.flushCommands();
    }

    void onStreamEnd(final StreamEnd end)
    {
        streamChecksInFlight--;
        final StreamWriter writer = end.writer();
        if (null != end.error())
        {
            owner.onFailure(0, end.error(), "write-behind check of " + writer.topic + "/" + writer.partition +
                " failed");
            verifyPending = true;
        }
        else if (!writer.closed && writer.awaitsStreamEnd())
        {
            owner.onStreamEndFound(writer, end.last().isEmpty() ? "" : end.last().get(0).getId());
        }
        else if (!writer.closed && !writer.inFlight && end.expectedTop().equals(writer.expectedTop))
        {
            final String top = end.last().isEmpty() ? "" : end.last().get(0).getId();
            if (!top.equals(writer.expectedTop))
            {
                if (StreamIds.nextOffset(top) < writer.confirmedNext)
                {
                    streamsBehind++;
                }
                owner.resync(writer, top);
            }
        }
        if (0 == streamChecksInFlight && streamsBehind > 0)
        {
            reportLoss();
        }
    }

    private void reportLoss()
    {
        dataLosses.incrementRelease();
        final WriteBehindException loss = new WriteBehindException(
            "Dragonfly at " + server + " lost data" + (null == previousRunId ? "" : " (restarted: run_id " +
            previousRunId + " -> " + runId + ")") + ": " + streamsBehind + " of " + writers.size() +
            " streams ended before what it had confirmed; rewriting them from the journal", null);
        LOG.warn(loss.getMessage());
        errorHandler.onError(loss);
        streamsBehind = 0;
    }

    private static String infoField(final String info, final String field)
    {
        final String prefix = field + ":";
        for (final String line : info.split("\r?\n"))
        {
            if (line.startsWith(prefix))
            {
                return line.substring(prefix.length()).trim();
            }
        }
        return null;
    }
}
