package io.portask.client;

/**
 * A cluster node as it describes itself (docs/replication.md).
 *
 * @param memberId    its member id.
 * @param leaderId    the leader's member id as it sees it; -1 while none is known (an election).
 * @param logPosition the cluster log position it has applied up to; the leader's minus a follower's is the
 *                    follower's lag in bytes.
 */
public record ClusterMember(int memberId, int leaderId, long logPosition)
{
    /**
     * @return true when the node sees itself as the leader.
     */
    public boolean isLeader()
    {
        return memberId == leaderId;
    }
}
