package io.portask.client;

import java.time.Duration;
import java.util.List;

/**
 * An application embedding the client SDK, run by SdkWithoutFlagsSystemTest (ops) in a child JVM started with
 * no flags at all: produce one record, consume it back, print what came back.
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
        final TopicPartition tp = new TopicPartition(args[1], 0);
        try (Producer producer = Producer.builder(args[0]).build();
            Consumer consumer = Consumer.builder(args[0]).build())
        {
            final RecordMetadata stored = producer.sendSync(args[1], "k", "hello from a flagless JVM");
            consumer.assign(tp);
            consumer.seek(tp, stored.offset());
            final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline)
            {
                final List<ConsumerRecord> records = consumer.poll(Duration.ofMillis(200));
                if (!records.isEmpty())
                {
                    System.out.println("consumed " + records.get(0).offset() + " " + records.get(0).valueAsString());
                    return;
                }
            }
            System.out.println("nothing consumed");
        }
    }
}
