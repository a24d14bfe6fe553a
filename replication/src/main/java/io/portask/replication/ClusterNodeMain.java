package io.portask.replication;

import org.agrona.concurrent.ShutdownSignalBarrier;

import java.io.File;
import java.util.List;

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
        final File dir = new File(args[3]);
        final ClusterNode node = ClusterNode.launchAfterCrash(memberId, List.of(args[1].split(",")),
            Integer.parseInt(args[2]), dir, () -> new LocalJournals(new File(dir, "journals"), 1024 * 1024),
            Throwable::printStackTrace, System.out::println);
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
}
