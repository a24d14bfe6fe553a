package io.portask.transport;

import io.netty.util.concurrent.FastThreadLocalThread;

import java.util.concurrent.ThreadFactory;

/**
 * Threads for Netty event loops: the broker's transport, and Lettuce's I/O toward Dragonfly.
 */
public final class NettyThreads
{
    private NettyThreads()
    {
    }

    /**
     * Netty pools its recycled objects (an outbound entry per write, pooled buffers' wrappers) only on its own
     * thread class: on a plain thread every one is a new object, the broker's main garbage. The given factory's
     * thread is kept as the task, so what it wraps around the loop (its CPU placement) runs on ours.
     *
     * @param factory makes the thread whose run is wrapped (a placed one binds itself to its CPU first).
     * @param name    the threads' name, or null for the given thread's.
     * @return a factory of {@link FastThreadLocalThread}s.
     */
    public static ThreadFactory fastThreadLocal(final ThreadFactory factory, final String name)
    {
        return runnable ->
        {
            final Thread given = factory.newThread(runnable);
            final Thread thread = new FastThreadLocalThread(given::run, null == name ? given.getName() : name);
            thread.setDaemon(given.isDaemon());
            return thread;
        };
    }
}
