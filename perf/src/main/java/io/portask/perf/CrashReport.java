package io.portask.perf;

import io.portask.perf.load.Percentiles;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The crash campaign's figures: restart times (SIGKILL to listening again, and to the producer's first ack after
 * it) as percentiles, the counts of the last check, and every violation with the cycle that found it.
 */
final class CrashReport
{
    private static final double[] PERCENTILES = {50, 99, 100};

    private final String conditions;
    private final Histogram restartMs = new Histogram(3);
    private final Histogram firstAckMs = new Histogram(3);
    private final List<String> violations = new ArrayList<>();
    private int cyclesDone;
    private CrashLedger.Check last;

    CrashReport(final int cycles, final int rate, final int partitions, final int maxRunMs, final long seed)
    {
        this.conditions = String.format(Locale.ROOT, "%d cycles, about %,d records/s of %d B to a JOURNAL topic of " +
            "%d partitions, one idempotent producer at ack level JOURNAL, SIGKILL 200..%d ms after each restart " +
            "(seed %d), %d cores, %s", cycles, rate, CrashLedger.VALUE_LENGTH, partitions, maxRunMs, seed,
            Runtime.getRuntime().availableProcessors(), Runtime.version());
    }

    void restart(final long listeningNs, final long firstAckNs)
    {
        restartMs.recordValue(Math.max(1, listeningNs / 1_000_000));
        firstAckMs.recordValue(Math.max(1, firstAckNs / 1_000_000));
    }

    void check(final int cycle, final CrashLedger.Check check)
    {
        cyclesDone = cycle;
        last = check;
        check.violations().forEach(violation -> violations.add("cycle " + cycle + ": " + violation));
    }

    boolean sound()
    {
        return violations.isEmpty();
    }

    String progressLine(final int cycle, final CrashLedger.Check check)
    {
        return String.format(Locale.ROOT, "cycle %d: %,d acked, %,d failed, %,d stored, %d violation(s)", cycle,
            check.acked(), check.failed(), check.present(), check.violations().size());
    }

    String toMarkdown()
    {
        final StringBuilder text = new StringBuilder("# Crash campaign\n\n").append(conditions).append("\n\n");
        text.append(String.format(Locale.ROOT, "| cycles | acked | failed for good (stored / not) | stored | " +
            "violations |%n|---|---|---|---|---|%n| %d | %,d | %,d (%,d / %,d) | %,d | %d |%n%n", cyclesDone,
            null == last ? 0 : last.acked(), null == last ? 0 : last.failed(), null == last ? 0 : last.failedPresent(),
            null == last ? 0 : last.failed() - last.failedPresent(), null == last ? 0 : last.present(),
            violations.size()));
        text.append("| ms | p50 | p99 | max |\n|---|---|---|---|\n");
        row(text, "SIGKILL -> listening again", restartMs);
        row(text, "SIGKILL -> first ack after restart", firstAckMs);
        text.append('\n').append(violations.isEmpty() ? "Every acked record was present exactly once, at its " +
            "acked offset, in dense offsets and send order, after every cycle.\n" : "Violations:\n");
        violations.forEach(violation -> text.append("- ").append(violation).append('\n'));
        return text.toString();
    }

    private static void row(final StringBuilder text, final String name, final Histogram histogram)
    {
        text.append("| ").append(name);
        for (final double percentile : PERCENTILES)
        {
            text.append(" | ").append(0 == histogram.getTotalCount() ? "-" :
                Long.toString(Percentiles.valueAt(histogram, percentile)));
        }
        text.append(" |\n");
    }
}
