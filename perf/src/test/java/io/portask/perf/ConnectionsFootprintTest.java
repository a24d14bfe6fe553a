package io.portask.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short run of {@code perf connections} against a real broker process: 500 connections, a report with a
 * per-connection figure in a sane range and the classes that grew. Asserts structure, never a target.
 */
class ConnectionsFootprintTest
{
    @TempDir
    Path dir;

    @Test
    void shouldMeasureWhatIdleConnectionsCostABrokerProcess() throws Exception
    {
        final String report = ConnectionsFootprint.run(List.of(500), 2, dir);
        final Matcher row = Pattern.compile("\\| 500 \\| (-?\\d+) \\|").matcher(report);
        assertTrue(row.find(), report);
        final long heapPerConnection = Long.parseLong(row.group(1));
        assertTrue(heapPerConnection > 200 && heapPerConnection < 20_000, report);
        assertTrue(report.contains("SocketChannel"), report);
        assertTrue(Files.readString(dir.resolve("report.md")).equals(report));
        assertTrue(Files.exists(dir.resolve("nmt-500.txt")));
    }
}
