package io.portask.perf.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short run of every scenario against a real broker in this JVM, over real sockets and a real journal: it
 * completes, counts every message it was told to, compares each series with a floor, and writes its files.
 * Asserts structure, never a speed.
 */
@Tag("slow")
class LoadGeneratorTest
{
    @TempDir
    Path out;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "closed-loop | --messages 400 | produce-ack=400",
        "closed-loop | --messages 400 --sdk busy-spin | produce-ack=400",
        "open-loop   | --rate 2000 --duration 0.5 --warmup 0.1 --partitions 2 | produce-ack=1000",
        "e2e         | --rate 2000 --duration 0.5 --warmup 0.1 | end-to-end push=1000, end-to-end fetch=1000",
        "throughput  | --messages 4000 --producers 2 --partitions 2 | send-to-ack (batched)=8000",
        "fan         | --rate 2000 --duration 0.5 --warmup 0.1 --producers 2 --partitions 3 --consumers 2 " +
            "| produce-ack=1000, end-to-end=1000",
        "size-sweep  | --sizes 32,65536 --messages 200 --rate 2000 | produce-ack 32 B=200, produce-ack 64 KiB=200",
    })
    void shouldRunTheScenarioAndReportEverySeriesAgainstTheFloor(
        final String scenario, final String options, final String expectedCounts) throws Exception
    {
        final String[] args = Stream.concat(Stream.of(scenario, "--out", out.toString()),
            Stream.of(options.split(" +"))).toArray(String[]::new);
        final ByteArrayOutputStream console = new ByteArrayOutputStream();

        final RunResult result = LoadGenerator.run(scenario, LoadOptions.parse(args, 1),
            new PrintStream(console, true, StandardCharsets.UTF_8));

        for (final String expected : expectedCounts.split(", "))
        {
            final String[] nameCount = expected.split("=");
            final Series series = result.series(nameCount[0]);
            assertNotNull(series, nameCount[0] + " in " + result.series());
            assertEquals(Long.parseLong(nameCount[1]), series.histogram().getTotalCount(), nameCount[0]);
            assertNotNull(series.floor(), "compared with a floor");
            assertTrue(series.floor().histogram().getTotalCount() > 0, "the floor was measured");
            assertTrue(series.ratio(50) > 0, "a ratio at p50");
        }
        assertTrue(result.conditions().describe().contains("cores") &&
            result.conditions().describe().contains("idle backoff") &&
            result.conditions().describe().contains("floor"), result.conditions().describe());
        final String text = console.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("p99.99") && text.contains("max") && text.contains("x raw TCP ping-pong"), text);

        final Path dir;
        try (Stream<Path> runs = Files.list(out))
        {
            dir = runs.filter(p -> p.getFileName().toString().startsWith(scenario)).findFirst().orElseThrow();
        }
        final JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertEquals(scenario, summary.get("scenario").asText());
        assertEquals(result.series().size(), summary.get("series").size());
        assertTrue(summary.get("series").get(1).get("ratio").has("p99.9"), summary.toString());
        assertTrue(Files.size(dir.resolve("percentiles.png")) > 1000);
        try (Stream<Path> files = Files.list(dir))
        {
            final List<Path> hgrm = files.filter(p -> p.toString().endsWith(".hgrm")).toList();
            assertEquals(result.series().size(), hgrm.size());
            assertFalse(Files.readString(hgrm.get(0)).isBlank());
        }
    }
}
