package io.portask.client;

import io.portask.protocol.Compression;
import io.portask.protocol.sbe.StorageKind;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An application embedding the client SDK, run by SdkWithoutFlagsSystemTest (ops) in a child JVM started with
 * no flags at all: create a topic, produce records (zstd-compressed, so zstd-jni's native library loads), fetch
 * them back by poll, then by push, describe the topic, and print one line of what came back.
 */
public final class SdkApp
{
    private SdkApp()
    {
    }

    /**
     * @param args bootstrap address and topic.
     */
    public static void main(final String[] args)
    {
        final String topic = args[1];
        final TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = Admin.connect(args[0]);
            Producer producer = Producer.builder(args[0]).compression(Compression.ZSTD)
                .compressionThresholdBytes(0).build();
            Consumer fetching = Consumer.builder(args[0]).build();
            Consumer pushed = Consumer.builder(args[0]).build())
        {
            admin.createTopic(topic, 1, StorageKind.JOURNAL);
            final RecordMetadata first = producer.sendSync(topic, "k", "hello from a flagless JVM");
            producer.send(topic, "k", "second").join();
            fetching.assign(tp);
            fetching.seek(tp, first.offset());
            final List<ConsumerRecord> fetched = pollFor(fetching, 2);
            pushed.subscribe(tp, first.offset());
            final List<ConsumerRecord> pushes = pollFor(pushed, 2);
            final long highWatermark = admin.describeTopic(topic).partitions().get(0).highWatermark();
            System.out.println("fetched " + fetched.size() + " pushed " + pushes.size() + " high watermark " +
                highWatermark + ": " + fetched.get(0).valueAsString() + ", " + pushes.get(1).valueAsString());
        }
    }

    private static List<ConsumerRecord> pollFor(final Consumer consumer, final int count)
    {
        final List<ConsumerRecord> records = new ArrayList<>();
        final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (records.size() < count && System.nanoTime() < deadline)
        {
            records.addAll(consumer.poll(Duration.ofMillis(200)));
        }
        if (records.size() < count)
        {
            throw new IllegalStateException("got " + records.size() + " of " + count + " records");
        }
        return records;
    }
}
