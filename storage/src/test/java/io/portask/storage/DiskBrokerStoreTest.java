package io.portask.storage;

import io.portask.protocol.sbe.StorageKind;
import io.portask.storage.spi.PartitionLog;
import io.portask.storage.spi.TopicDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiskBrokerStoreTest
{
    @TempDir
    File dir;

    private DiskBrokerStore open()
    {
        return new DiskBrokerStore(new StorageContext().dataDir(dir));
    }

    @Test
    void shouldPersistTopicsAndTheirJournals()
    {
        final TestBatches batches = new TestBatches();
        final TopicDescriptor orders = new TopicDescriptor("orders", 2, StorageKind.JOURNAL);
        final TopicDescriptor cache = new TopicDescriptor("cache", 1, StorageKind.MEMORY);
        try (DiskBrokerStore store = open())
        {
            store.createTopic(orders);
            store.createTopic(cache);
            try (PartitionLog log = store.openPartition(orders, 1))
            {
                log.append(batches.buffer(), 0, batches.batch("o", 4));
            }
            assertInstanceOf(MemoryPartitionLog.class, store.openPartition(cache, 0));
        }
        try (DiskBrokerStore store = open())
        {
            assertEquals(List.of(cache, orders), store.loadTopics());
            try (PartitionLog log = store.openPartition(orders, 1))
            {
                assertEquals(4, log.highWatermark());
            }
        }
    }

    @Test
    void shouldNeverHandOutAProducerIdTwiceAcrossRestarts()
    {
        final Set<Long> seen = new HashSet<>();
        for (int run = 0; run < 3; run++)
        {
            try (DiskBrokerStore store = open())
            {
                for (int i = 0; i < 1500; i++)
                {
                    final long id = store.nextProducerId();
                    assertTrue(id > 0 && seen.add(id), "id " + id + " handed out twice");
                }
            }
        }
    }

    @Test
    void shouldReplayLatestCommittedOffsetsAndForgetDeletedTopics()
    {
        final TopicDescriptor a = new TopicDescriptor("a", 1, StorageKind.JOURNAL);
        try (DiskBrokerStore store = open())
        {
            store.createTopic(a);
            store.commitOffset("g1", "a", 0, 5);
            store.commitOffset("g1", "a", 0, 9);
            store.commitOffset("g2", "a", 0, 1);
            store.commitOffset("g1", "b", 3, 7);
        }
        try (DiskBrokerStore store = open())
        {
            assertEquals(List.of("g1/a/0=9", "g2/a/0=1", "g1/b/3=7"), offsets(store));
            store.deleteTopic(a);
            assertFalse(new File(dir, "topics/a").exists());
        }
        try (DiskBrokerStore store = open())
        {
            assertEquals(List.of("g1/b/3=7"), offsets(store));
            assertTrue(store.loadTopics().isEmpty());
        }
    }

    private static List<String> offsets(final DiskBrokerStore store)
    {
        final List<String> result = new ArrayList<>();
        store.loadGroups((g, t, p, o) -> result.add(g + "/" + t + "/" + p + "=" + o), (g, m, state) ->
        {
        });
        return result;
    }
}
