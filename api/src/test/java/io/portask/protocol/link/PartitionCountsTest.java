package io.portask.protocol.link;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PartitionCountsTest
{
    @Test
    void shouldAskOnceUntilForgotten()
    {
        final AtomicInteger asked = new AtomicInteger();
        final PartitionCounts counts = new PartitionCounts(topic ->
            CompletableFuture.completedFuture(asked.incrementAndGet() + 2));
        assertEquals(3, counts.get("t").join());
        assertEquals(3, counts.get("t").join());
        assertEquals(1, asked.get());
        counts.forget("t");
        assertEquals(4, counts.get("t").join());
        assertEquals(2, asked.get());
    }
}
