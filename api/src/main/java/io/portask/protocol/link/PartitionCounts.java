package io.portask.protocol.link;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * How many partitions each topic has, asked of the broker once and kept, for producers that pick a partition from
 * a key (the SDK's Producer, the gateway's publish route). Forget a topic when the broker says it is unknown or it
 * was deleted, so a recreated topic is asked again. Thread safe.
 */
public final class PartitionCounts
{
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();
    private final Function<String, CompletableFuture<Integer>> describe;

    /**
     * @param describe asks the broker how many partitions a topic has.
     */
    public PartitionCounts(final Function<String, CompletableFuture<Integer>> describe)
    {
        this.describe = describe;
    }

    /**
     * @param topic topic name.
     * @return completes with its partition count, at once when known.
     */
    public CompletableFuture<Integer> get(final String topic)
    {
        return get(topic, describe);
    }

    /**
     * @param topic  topic name.
     * @param asking asks the broker when the count is not known (e.g. as a particular principal).
     * @return completes with its partition count, at once when known.
     */
    public CompletableFuture<Integer> get(final String topic, final Function<String, CompletableFuture<Integer>> asking)
    {
        final Integer known = counts.get(topic);
        if (null != known)
        {
            return CompletableFuture.completedFuture(known);
        }
        return asking.apply(topic).thenApply(count ->
        {
            counts.put(topic, count);
            return count;
        });
    }

    /**
     * @param topic a topic the broker no longer knows, or that was deleted.
     */
    public void forget(final String topic)
    {
        counts.remove(topic);
    }
}
