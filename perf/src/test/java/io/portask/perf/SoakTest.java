package io.portask.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 12-second soak against a real broker writing behind to a real redis-server (the long run is
 * {@code ./portask perf soak --minutes 10}): samples with the broker's real figures, consumers that keep up, the
 * three result files. And the trend fit on made-up samples: a growing series is not flat, a steady one is.
 */
class SoakTest
{
    @TempDir
    Path dir;

    @Test
    void shouldSampleARealBrokerUnderLoad() throws Exception
    {
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        final SoakReport report = Soak.run(Duration.ofSeconds(12), 1_000, 2, 2, dir.resolve("out"),
            new PrintStream(text, true, StandardCharsets.UTF_8));
        final List<SoakReport.Sample> samples = report.samples();
        assertEquals(6, samples.size(), text.toString(StandardCharsets.UTF_8));
        for (final SoakReport.Sample sample : samples)
        {
            assertTrue(sample.rssKb() > 10_000 && sample.heapKb() > 0 && sample.fds() > 10 && sample.threads() > 5,
                sample.line());
            assertEquals(sample.rssKb(), sample.anonKb() + sample.fileKb(), 512, sample.line());
            assertTrue(sample.anonKb() > 0 && sample.fileKb() > 0, sample.line());
        }
        final SoakReport.Sample last = samples.getLast();
        assertTrue(last.recordsPerSecond() > 500 && last.p99Us() > 0, last.line());
        assertTrue(last.pushLag() < 2_000 && last.fetchLag() < 2_000 && last.groupLag() < 5_000, last.line());
        for (final String file : new String[]{"report.md", "samples.csv", "soak.svg"})
        {
            assertTrue(Files.size(dir.resolve("out").resolve(file)) > 100, file);
        }
        final String markdown = Files.readString(dir.resolve("out/report.md"));
        assertTrue(markdown.contains("| heap after GC (KiB) |") && markdown.contains("| RSS anonymous (KiB) |"));
        assertEquals(2, report.liveHeaps().size(), markdown);
        assertEquals(4, report.liveHeaps().getFirst().seconds());
        assertTrue(report.liveHeaps().getLast().heap().bytes() > 1_000_000, markdown);
        assertTrue(markdown.contains("Classes that grew most"), markdown);
    }

    @Test
    void shouldCallAGrowingSeriesNotFlatAndASteadyOneFlat()
    {
        final List<SoakReport.Sample> growing = new ArrayList<>();
        final List<SoakReport.Sample> steady = new ArrayList<>();
        for (int i = 1; i <= 60; i++)
        {
            growing.add(sample(i * 10, 100_000 + i * 1_000, 50 + i));
            steady.add(sample(i * 10, 100_000 + (i % 2) * 1_000, 50));
        }
        final SoakReport.Trend rss = SoakReport.trend("RSS", growing, SoakReport.Sample::rssKb, false);
        assertEquals(6_000, rss.perMinute(), 1);
        assertFalse(rss.flat());
        assertFalse(SoakReport.trend("fds", growing, SoakReport.Sample::fds, true).flat());
        assertTrue(SoakReport.trend("RSS", steady, SoakReport.Sample::rssKb, false).flat());
        assertTrue(SoakReport.trend("fds", steady, SoakReport.Sample::fds, true).flat());
    }

    @Test
    void shouldFitTrendsAgainOnceTheMemoryTierIsFull()
    {
        final SoakReport report = new SoakReport("made up");
        for (int i = 1; i <= 30; i++)
        {
            final long tierKb = Math.min(i, 20) * 1_000L;
            report.add(new SoakReport.Sample(i * 10, 100_000 + tierKb, 90_000 + tierKb, 10_000, tierKb, 1, 100, 30,
                1, 1, 1, 1, 0, 0, 0, 0));
        }
        assertFalse(report.trends().getFirst().flat(), "RSS grows while the tier fills");
        assertEquals(200, report.tierFullSince());
        assertTrue(report.trendsOnceTierFull().getFirst().flat(), "and is flat once it is full");
        assertTrue(report.toMarkdown().contains("| trend once the memory tier is full (from 200 s) |"));
        report.add(new SoakReport.Sample(310, 1, 1, 1, 50_000, 1, 100, 30, 1, 1, 1, 1, 0, 0, 0, 0));
        assertEquals(-1, report.tierFullSince(), "still growing at the end");
    }

    @Test
    void shouldReadTheLiveHeapFromAClassHistogram()
    {
        final SoakProbe.LiveHeap heap = SoakProbe.liveHeap("""
            4242:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:         20107        5290472  [B (java.base@25.0.3)
               2:          3002        1201024  [Ljava.lang.Object; (java.base@25.0.3)
               3:         15000         360000  java.lang.String (java.base@25.0.3)
            Total         38109        6851496
            """);
        assertEquals(6_851_496, heap.bytes());
        assertEquals(5_290_472, heap.bytesByClass().get("[B"));
        assertEquals(360_000, heap.bytesByClass().get("java.lang.String"));
        assertEquals(null, SoakProbe.liveHeap("4242:\nno such process"));
    }

    private static SoakReport.Sample sample(final long seconds, final long rssKb, final long fds)
    {
        return new SoakReport.Sample(seconds, rssKb, rssKb, 0, 0, 1, fds, 1, 1, 1, 1, 1, 0, 0, 0, 0);
    }
}
