package io.portask.replication;

import org.agrona.concurrent.ShutdownSignalBarrier;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A cluster node as a process of its own, until SIGTERM or SIGINT (a kill -9 is a crash it recovers from):
 * <pre>
 *   java ... io.portask.replication.ClusterNodeMain MEMBER_ID HOST,HOST,HOST BASE_PORT DIR
 * </pre>
 * Prints {@code portask cluster node N up} once started.
 */
public final class ClusterNodeMain
{
    private ClusterNodeMain()
    {
    }

    /**
     * @param args member id, hosts (comma-separated, by member id), base port, the node's folder.
     */
    public static void main(final String[] args)
    {
        if (4 != args.length)
        {
            System.err.println("usage: ClusterNodeMain MEMBER_ID HOST,HOST,HOST BASE_PORT DIR");
            System.exit(2);
        }
        final int memberId = Integer.parseInt(args[0]);
        final ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
        final ClusterNode node = launch(memberId, List.of(args[1].split(",")), Integer.parseInt(args[2]),
            new File(args[3]));
        try
        {
            System.out.println("portask cluster node " + memberId + " up");
            System.out.flush();
            barrier.await();
        }
        finally
        {
            node.close();
        }
        System.out.println("portask cluster node " + memberId + " stopped");
    }

    /**
     * Launch, waiting while the mark files of a node that died here (kill -9) still look alive: the Archive and
     * the consensus module refuse to start until they are older than their liveness time-out (10 s).
     */
    private static ClusterNode launch(final int memberId, final List<String> hosts, final int basePort, final File dir)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            try
            {
                return ClusterNode.launch(memberId, hosts, basePort, dir, 1024 * 1024, Throwable::printStackTrace);
            }
            catch (final IllegalStateException ex)
            {
                if (null == ex.getMessage() || !ex.getMessage().contains("active mark file") ||
                    System.nanoTime() > deadline)
                {
                    throw ex;
                }
                System.out.println("waiting for the mark file of the node that ran here to age out: " +
                    ex.getMessage());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            }
        }
    }
}
