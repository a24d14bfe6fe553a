package io.portask.perf;

import io.portask.client.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The crash campaign's check finds each way a log can break the promise, and passes a sound one (records of two
 * partitions: even seqs in 0, odd in 1).
 */
class CrashLedgerTest
{
    @Test
    void shouldPassASoundLogWithAFailedSendStoredOrNot()
    {
        final CrashLedger ledger = ledger();
        ledger.failed(3);
        final CrashLedger.Check check = check(ledger, 4, record(0, 0, 0), record(0, 1, 2), record(1, 0, 1),
            record(1, 1, 3));
        assertEquals(List.of(), check.violations());
        assertEquals(3, check.acked());
        assertEquals(1, check.failedPresent());
    }

    @Test
    void shouldFindAMissingAckedRecord()
    {
        assertFound("record 2 acked at partition 0 offset 1 is missing",
            check(ledger(), 4, record(0, 0, 0), record(1, 0, 1), record(1, 1, 3)));
    }

    @Test
    void shouldFindARecordStoredTwiceAndAGap()
    {
        final CrashLedger.Check check = check(ledger(), 4, record(0, 0, 0), record(0, 1, 2), record(0, 3, 2),
            record(1, 0, 1), record(1, 1, 3));
        assertFound("partition 0: offset 3 where 2 was next (a gap)", check);
        assertFound("record 2 stored twice (again at offset 3)", check);
    }

    @Test
    void shouldFindAnAckNamingAnotherOffsetAndRecordsOutOfOrder()
    {
        final CrashLedger.Check check = check(ledger(), 4, record(0, 0, 2), record(0, 1, 0), record(1, 0, 1),
            record(1, 1, 3));
        assertFound("record 2 acked at offset 1 but stored at 0", check);
        assertFound("partition 0 offset 1: record 0 after 2 (out of send order)", check);
    }

    @Test
    void shouldFindARecordInTheWrongPartitionAndAnUnansweredSend()
    {
        final CrashLedger ledger = new CrashLedger(2, 8);
        ledger.acked(0, 0);
        final CrashLedger.Check check = check(ledger, 2, record(1, 0, 0));
        assertFound("partition 1 offset 0: a record never sent there (seq 0)", check);
        assertFound("record 1 still unanswered at the check", check);
    }

    private static CrashLedger ledger()
    {
        final CrashLedger ledger = new CrashLedger(2, 8);
        ledger.acked(0, 0);
        ledger.acked(1, 0);
        ledger.acked(2, 1);
        ledger.acked(3, 1);
        return ledger;
    }

    private static CrashLedger.Check check(final CrashLedger ledger, final long sent, final ConsumerRecord... log)
    {
        final CrashLedger.Checker checker = ledger.check(sent);
        for (final ConsumerRecord record : log)
        {
            checker.accept(record);
        }
        return checker.finish();
    }

    private static ConsumerRecord record(final int partition, final long offset, final long seq)
    {
        return new ConsumerRecord(CrashCampaign.TOPIC, partition, offset, 0, null, CrashLedger.value(seq), List.of());
    }

    private static void assertFound(final String violation, final CrashLedger.Check check)
    {
        assertTrue(check.violations().contains(violation), check.violations().toString());
    }
}
