package io.portask.ops;

import net.openhft.affinity.AffinityLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ThreadFactory;

/**
 * Makes threads that pin themselves to a core of their own with OpenHFT Affinity before running. On a host
 * with no core to spare the lock is not taken: the thread runs unpinned and the start log says so; a missing
 * core never fails a start.
 */
final class PinnedThreadFactory implements ThreadFactory
{
    private static final Logger LOG = LoggerFactory.getLogger(PinnedThreadFactory.class);

    private final String name;

    PinnedThreadFactory(final String name)
    {
        this.name = name;
    }

    /**
     * {@inheritDoc}
     */
    public Thread newThread(final Runnable runnable)
    {
        final Thread thread = new Thread(() ->
        {
            final AffinityLock lock = AffinityLock.acquireLock();
            try
            {
                if (lock.isAllocated())
                {
                    LOG.info("{} pinned to cpu {}", name, lock.cpuId());
                }
                else
                {
                    LOG.warn("{} runs unpinned: no reservable cpu on this host", name);
                }
                runnable.run();
            }
            finally
            {
                lock.release();
            }
        }, name);
        thread.setDaemon(false);
        return thread;
    }
}
