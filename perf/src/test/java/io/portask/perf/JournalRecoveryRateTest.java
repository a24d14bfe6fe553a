package io.portask.perf;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short run of {@code perf recovery} on a real 16 MiB journal: every open is reported with a rate, the cut
 * included. Asserts structure, never a speed.
 */
class JournalRecoveryRateTest
{
    @Test
    void shouldReportColdWarmAndCutOpens() throws Throwable
    {
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        JournalRecoveryRate.run(16, 16 * 1024, 100, 1, new PrintStream(text, true, StandardCharsets.UTF_8));
        final String report = text.toString(StandardCharsets.UTF_8);
        for (final String line : new String[]{"cold open 1", "warm open 1", "damaged tail (cut)", "after the cut"})
        {
            assertTrue(report.matches("(?s).*" + Pattern.quote(line) + " +\\d+ ms +\\d+ MiB/s.*"), report);
        }
    }
}
