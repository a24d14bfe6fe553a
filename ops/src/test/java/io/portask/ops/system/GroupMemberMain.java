package io.portask.ops.system;

import io.portask.client.Consumer;
import io.portask.client.ConsumerRecord;
import io.portask.client.PortaskException;
import io.portask.client.RebalanceListener;
import io.portask.client.TopicPartition;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * A group member that says what it consumed, for tests that kill it: in a process of its own (kill -9) or on a
 * thread. After each poll it prints the records it got ("P partition offset"), commits, and prints "C" and the
 * partitions committed once the commit succeeded ("X" when it failed); a partition revoked and committed prints
 * "R partition", one lost (fenced) "L partition". So whoever reads the output knows which records it consumed for
 * sure and which were in flight when it died ({@link MemberLedger}). Prints "READY" once it has partitions.
 * <p>
 * Arguments: bootstrap, group, topic, session timeout in ms.
 */
public final class GroupMemberMain
{
    private GroupMemberMain()
    {
    }

    public static void main(final String[] args)
    {
        try (Consumer consumer = Consumer.builder(args[0]).group(args[1])
            .sessionTimeoutMs(Integer.parseInt(args[3])).build())
        {
            consume(consumer, args[2], System.out, () -> true);
        }
    }

    /**
     * Consume until {@code running} says stop (checked after each poll: a stop then is a crash, nothing committed).
     */
    static void consume(
        final Consumer consumer, final String topic, final PrintStream out, final BooleanSupplier running)
    {
        consumer.subscribe(List.of(topic), new RebalanceListener()
        {
            public void onPartitionsRevoked(final Collection<TopicPartition> partitions)
            {
                for (final TopicPartition partition : partitions)
                {
                    consumer.commit(partition, consumer.position(partition));
                    out.println("R " + partition.partition());
                }
            }

            public void onPartitionsLost(final Collection<TopicPartition> partitions)
            {
                partitions.forEach(partition -> out.println("L " + partition.partition()));
            }
        });
        boolean ready = false;
        while (true)
        {
            final List<ConsumerRecord> records;
            try
            {
                records = consumer.poll(Duration.ofMillis(100));
            }
            catch (final PortaskException ex)
            {
                continue;
            }
            if (!running.getAsBoolean())
            {
                return;
            }
            if (!ready && !consumer.assignment().isEmpty())
            {
                ready = true;
                out.println("READY");
            }
            records.forEach(record -> out.println("P " + record.partition() + " " + record.offset()));
            final String committing = consumer.assignment().stream()
                .map(partition -> Integer.toString(partition.partition())).collect(Collectors.joining(" "));
            try
            {
                consumer.commit();
                out.println("C " + committing);
            }
            catch (final PortaskException ex)
            {
                out.println("X");
            }
            out.flush();
        }
    }
}
