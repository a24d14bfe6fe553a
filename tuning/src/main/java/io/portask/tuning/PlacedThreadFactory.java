package io.portask.tuning;

import net.openhft.affinity.Affinity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.BitSet;
import java.util.concurrent.ThreadFactory;

/**
 * Threads named after their role that bind themselves to their planned CPU with OpenHFT Affinity before they run,
 * and check the binding took. A binding the OS refuses (a CPU outside the process's allowed set, a container) is
 * a warning: the thread runs unpinned, the broker starts.
 */
final class PlacedThreadFactory implements ThreadFactory
{
    private static final Logger LOG = LoggerFactory.getLogger(PlacedThreadFactory.class);

    private final Placement.Assignment assignment;

    PlacedThreadFactory(final Placement.Assignment assignment)
    {
        this.assignment = assignment;
    }

    /**
     * {@inheritDoc}
     */
    public Thread newThread(final Runnable runnable)
    {
        final Thread thread = new Thread(() ->
        {
            bind(assignment);
            runnable.run();
        }, assignment.role().threadName());
        thread.setDaemon(false);
        return thread;
    }

    /**
     * Bind the calling thread to the assignment's CPU, if it has one.
     *
     * @return whether the thread now runs on that CPU only.
     */
    static boolean bind(final Placement.Assignment assignment)
    {
        if (assignment.cpu() < 0)
        {
            return false;
        }
        try
        {
            Affinity.setAffinity(assignment.cpu());
            final BitSet now = Affinity.getAffinity();
            if (now.cardinality() == 1 && now.get(assignment.cpu()))
            {
                return true;
            }
            LOG.warn("{} asked for cpu {} but runs on cpus {}: unpinned", assignment.role().threadName(),
                assignment.cpu(), now);
        }
        catch (final RuntimeException | LinkageError ex)
        {
            LOG.warn("{} could not be bound to cpu {}: {}; it runs unpinned", assignment.role().threadName(),
                assignment.cpu(), ex.toString());
        }
        return false;
    }
}
