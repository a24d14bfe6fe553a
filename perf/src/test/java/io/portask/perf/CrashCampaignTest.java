package io.portask.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short crash campaign against a real broker process: three SIGKILLs under load, every acked record checked
 * after each restart. The long campaign is {@code ./portask perf crash --cycles 100}.
 */
class CrashCampaignTest
{
    @TempDir
    Path dir;

    @Test
    void shouldFindEveryAckedRecordOnceAfterEachKill() throws Exception
    {
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        final boolean sound = CrashCampaign.run(3, 2_000, 2, 600, 42, dir,
            new PrintStream(text, true, StandardCharsets.UTF_8));
        final String report = text.toString(StandardCharsets.UTF_8);
        assertTrue(sound, report);
        assertTrue(report.contains("cycle 3: "), report);
        assertTrue(report.matches("(?s).*\\| 3 \\| [1-9][\\d,]* \\|.*"), "records were acked: " + report);
        assertTrue(report.contains("SIGKILL -> first ack after restart"), report);
        assertFalse(Files.exists(dir.resolve("data")), "a sound run leaves no data behind");
    }
}
