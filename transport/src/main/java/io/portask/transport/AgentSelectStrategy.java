package io.portask.transport;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.IdleStrategy;

/**
 * Makes a Netty event loop the runner of Agrona agents. Netty asks this strategy what to do on every turn of
 * its loop; we run the agents' duty cycle, poll epoll without blocking, and apply the idle strategy only when
 * neither found work. Returning the count of ready events (0 included) makes Netty process them and its tasks
 * and come straight back, so the loop never blocks in epoll_wait: a busy-spin idle strategy gives a
 * busy-polling transport, a backoff one a quiet one.
 * <p>
 * Threading: called by the event loop thread only.
 */
final class AgentSelectStrategy implements SelectStrategy
{
    private final AgentInvoker invoker;
    private final IdleStrategy idleStrategy;

    AgentSelectStrategy(final AgentInvoker invoker, final IdleStrategy idleStrategy)
    {
        this.invoker = invoker;
        this.idleStrategy = idleStrategy;
    }

    /**
     * {@inheritDoc}
     */
    public int calculateStrategy(final IntSupplier selectSupplier, final boolean hasTasks) throws Exception
    {
        if (!invoker.isStarted())
        {
            invoker.start();
        }
        final int workCount = invoker.isClosed() ? 0 : invoker.invoke();
        final int ready = selectSupplier.get();
        if (0 == workCount && ready <= 0 && !hasTasks)
        {
            idleStrategy.idle();
        }
        else
        {
            idleStrategy.reset();
        }
        return Math.max(0, ready);
    }
}
