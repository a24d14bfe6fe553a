package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.ConsumerRecord;
import io.portask.client.Producer;
import io.portask.client.RecordMetadata;
import io.portask.client.TopicPartition;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.StorageKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three real broker processes as one cluster (docs/replication.md): a replicated topic created through any node,
 * records acked at QUORUM through the SDK given every node's address, the same records at the same offsets served
 * by every node.
 */
class ReplicatedBrokerSystemTest
{
    @TempDir
    Path dir;

    @Test
    void shouldServeQuorumAckedRecordsFromEveryNode() throws Exception
    {
        try (ClusterNodes cluster = new ClusterNodes(dir).startAll())
        {
            assertTrue(cluster.awaitLeader() >= 0, "a leader is elected");
            try (Admin admin = Admin.connect(cluster.bootstrap()))
            {
                admin.createTopic("orders", 1, StorageKind.REPLICATED);
            }
            final TopicPartition tp = new TopicPartition("orders", 0);
            try (Producer producer = Producer.builder(cluster.bootstrap()).ackLevel(AckLevel.QUORUM).retries(1_000)
                .deliveryTimeout(Duration.ofSeconds(60)).build())
            {
                final List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
                for (int i = 0; i < 300; i++)
                {
                    sent.add(producer.send(tp, null, ("record " + i).getBytes(StandardCharsets.UTF_8), List.of()));
                }
                for (int i = 0; i < sent.size(); i++)
                {
                    assertEquals(i, sent.get(i).get(60, TimeUnit.SECONDS).offset(), "acked in order, dense");
                }
            }
            for (int node = 0; node < ClusterNodes.NODES; node++)
            {
                final List<ConsumerRecord> records = cluster.readAll(node, "orders");
                assertEquals(300, records.size(), "node " + node + " serves every record");
                for (int i = 0; i < records.size(); i++)
                {
                    assertEquals(i, records.get(i).offset());
                    assertEquals("record " + i, records.get(i).valueAsString());
                }
            }
        }
    }
}
