package io.portask.perf;

import io.portask.client.ConsumerRecord;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the crash campaign sent and what the broker acknowledged, and the check of a partition's log against it.
 * Record {@code seq} goes to partition {@code seq % partitions} with the seq in its first 8 bytes; its ack (the
 * offset it was stored at) is kept by seq, -1 while unanswered, -2 when the send failed for good (its fate is then
 * unknown: present once or absent are both right). A check reads every partition from offset 0 and finds what
 * breaks the promise: an acked record missing, any record present twice, a record at another offset than its ack,
 * a gap in the offsets, records of one partition out of send order.
 */
final class CrashLedger
{
    static final long UNANSWERED = -1;
    static final long FAILED = -2;
    static final int VALUE_LENGTH = 64;

    private final int partitions;
    private final AtomicLongArray acks;

    CrashLedger(final int partitions, final int capacity)
    {
        this.partitions = partitions;
        this.acks = new AtomicLongArray(capacity);
        for (int i = 0; i < capacity; i++)
        {
            acks.set(i, UNANSWERED);
        }
    }

    int capacity()
    {
        return acks.length();
    }

    int partitionOf(final long seq)
    {
        return (int)(seq % partitions);
    }

    static byte[] value(final long seq)
    {
        return ByteBuffer.allocate(VALUE_LENGTH).putLong(seq).array();
    }

    void acked(final long seq, final long offset)
    {
        acks.set((int)seq, offset);
    }

    void failed(final long seq)
    {
        acks.set((int)seq, FAILED);
    }

    /**
     * The outcome of one check of every partition.
     *
     * @param present  records read.
     * @param acked    records acknowledged so far.
     * @param failed   sends that failed for good.
     * @param failedPresent of those, how many are stored (allowed: the broker stored it, the answer was lost).
     * @param violations what broke the promise, empty when nothing did.
     */
    record Check(long present, long acked, long failed, long failedPresent, List<String> violations)
    {
    }

    /**
     * Start a check of the logs against the acks; call it with nothing in flight (every send so far answered),
     * feed it every partition's records in offset order from offset 0, then {@link Checker#finish()}.
     *
     * @param sent how many records were sent (seqs 0..sent-1).
     * @return the check to feed.
     */
    Checker check(final long sent)
    {
        return new Checker(sent);
    }

    final class Checker
    {
        private final long sent;
        private final List<String> violations = new ArrayList<>();
        private final BitSet seen;
        private final long[] nextOffset = new long[partitions];
        private final long[] lastSeq = new long[partitions];
        private long present;
        private long failedPresent;

        private Checker(final long sent)
        {
            this.sent = sent;
            this.seen = new BitSet((int)sent);
            Arrays.fill(lastSeq, -1);
        }

        void accept(final ConsumerRecord record)
        {
            final int partition = record.partition();
            present++;
            final long seq = ByteBuffer.wrap(record.value()).getLong();
            if (record.offset() != nextOffset[partition])
            {
                violation("partition " + partition + ": offset " + record.offset() + " where " +
                    nextOffset[partition] + " was next (a gap)");
            }
            nextOffset[partition] = record.offset() + 1;
            if (seq < 0 || seq >= sent || partitionOf(seq) != partition)
            {
                violation("partition " + partition + " offset " + record.offset() + ": a record never sent there " +
                    "(seq " + seq + ")");
                return;
            }
            if (seen.get((int)seq))
            {
                violation("record " + seq + " stored twice (again at offset " + record.offset() + ")");
            }
            seen.set((int)seq);
            if (seq < lastSeq[partition])
            {
                violation("partition " + partition + " offset " + record.offset() + ": record " + seq + " after " +
                    lastSeq[partition] + " (out of send order)");
            }
            lastSeq[partition] = Math.max(lastSeq[partition], seq);
            final long ack = acks.get((int)seq);
            if (FAILED == ack)
            {
                failedPresent++;
            }
            else if (ack >= 0 && ack != record.offset())
            {
                violation("record " + seq + " acked at offset " + ack + " but stored at " + record.offset());
            }
        }

        Check finish()
        {
            long acked = 0;
            long failed = 0;
            for (int seq = 0; seq < sent; seq++)
            {
                final long ack = acks.get(seq);
                if (ack >= 0)
                {
                    acked++;
                    if (!seen.get(seq))
                    {
                        violation("record " + seq + " acked at partition " + partitionOf(seq) + " offset " + ack +
                            " is missing");
                    }
                }
                else if (FAILED == ack)
                {
                    failed++;
                }
                else
                {
                    violation("record " + seq + " still unanswered at the check");
                }
            }
            return new Check(present, acked, failed, failedPresent, violations);
        }

        private void violation(final String what)
        {
            if (violations.size() < 20)
            {
                violations.add(what);
            }
            else if (violations.size() == 20)
            {
                violations.add("(more left out)");
            }
        }
    }
}
