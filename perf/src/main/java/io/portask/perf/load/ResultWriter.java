package io.portask.perf.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Writes a run's results: the table on the console, and in the run's folder one {@code .hgrm} file per series,
 * {@code summary.json} and {@code percentiles.png}. Latencies print in microseconds; every series but a floor
 * gets a ratio row against its floor.
 */
public final class ResultWriter
{
    private static final int NAME_WIDTH = 34;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResultWriter()
    {
    }

    /**
     * @param result the run.
     * @param dir    folder to write into, created when missing.
     * @param out    console.
     * @throws IOException when a file cannot be written.
     */
    public static void write(final RunResult result, final Path dir, final PrintStream out) throws IOException
    {
        Files.createDirectories(dir);
        printTable(result, out);
        for (final Series series : result.series())
        {
            try (PrintStream file = new PrintStream(
                Files.newOutputStream(dir.resolve(fileName(series.name()) + ".hgrm")), false, StandardCharsets.UTF_8))
            {
                series.histogram().outputPercentileDistribution(file, 1000.0);
            }
        }
        Files.writeString(dir.resolve("summary.json"), json(result), StandardCharsets.UTF_8);
        PercentilePlot.write(result, dir.resolve("percentiles.png"));
        out.println("results: " + dir.toAbsolutePath() + " (summary.json, percentiles.png, *.hgrm)");
    }

    /**
     * @param result the run.
     * @param out    where to print.
     */
    public static void printTable(final RunResult result, final PrintStream out)
    {
        out.printf(Locale.ROOT, "%n== %s ==%nconditions: %s%n%-" + NAME_WIDTH + "s", result.scenario(),
            result.conditions().describe(), "latency us");
        for (final double p : Percentiles.REPORTED)
        {
            out.printf(Locale.ROOT, "%10s", Percentiles.label(p));
        }
        out.printf(Locale.ROOT, "%10s%n", "count");
        for (final Series series : result.series())
        {
            out.printf(Locale.ROOT, "%-" + NAME_WIDTH + "s", series.name());
            for (final double p : Percentiles.REPORTED)
            {
                out.printf(Locale.ROOT, "%10.1f", Percentiles.valueAt(series.histogram(), p) / 1000.0);
            }
            out.printf(Locale.ROOT, "%10d%n", series.histogram().getTotalCount());
            if (null != series.floor())
            {
                out.printf(Locale.ROOT, "%-" + NAME_WIDTH + "s", "  x " + series.floor().name());
                for (final double p : Percentiles.REPORTED)
                {
                    out.printf(Locale.ROOT, "%10.2f", series.ratio(p));
                }
                out.println();
            }
        }
        for (final Throughput throughput : result.throughputs())
        {
            out.printf(Locale.ROOT, "%-" + NAME_WIDTH + "s%,14.0f records/s %10.1f MB/s (%,d records in %.2f s)%n",
                throughput.name(), throughput.recordsPerSecond(), throughput.megabytesPerSecond(),
                throughput.records(), throughput.nanos() / 1e9);
        }
        result.notes().forEach(note -> out.println("note: " + note));
    }

    /**
     * @param out  the results folder.
     * @param name what ran, e.g. a scenario.
     * @return {@code out/name-yyyyMMdd-HHmmss}, not created.
     */
    public static Path stamped(final Path out, final String name)
    {
        return out.resolve(name + "-" +
            LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
    }

    static String fileName(final String seriesName)
    {
        return seriesName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.]+", "-").replaceAll("^-|-$", "");
    }

    /**
     * @param result the run.
     * @return the JSON summary: scenario, conditions, series with percentiles in microseconds and ratios to their
     *         floor, throughputs, notes.
     */
    public static String json(final RunResult result)
    {
        final ObjectNode root = JSON.createObjectNode().put("scenario", result.scenario());
        final ObjectNode conditions = root.putObject("conditions");
        result.conditions().asMap().forEach(conditions::put);
        final ArrayNode series = root.putArray("series");
        for (final Series s : result.series())
        {
            final ObjectNode node = series.addObject().put("name", s.name())
                .put("floor", null == s.floor() ? null : s.floor().name())
                .put("count", s.histogram().getTotalCount());
            final ObjectNode us = node.putObject("us");
            final ObjectNode ratio = null == s.floor() ? null : node.putObject("ratio");
            for (final double p : Percentiles.REPORTED)
            {
                us.put(Percentiles.label(p), Percentiles.valueAt(s.histogram(), p) / 1000.0);
                if (null != ratio)
                {
                    final double r = s.ratio(p);
                    ratio.put(Percentiles.label(p), Double.isNaN(r) ? null : r);
                }
            }
        }
        final ArrayNode throughputs = root.putArray("throughput");
        for (final Throughput t : result.throughputs())
        {
            throughputs.addObject().put("name", t.name()).put("records", t.records()).put("bytes", t.bytes())
                .put("seconds", t.nanos() / 1e9).put("recordsPerSecond", t.recordsPerSecond())
                .put("megabytesPerSecond", t.megabytesPerSecond());
        }
        final ArrayNode notes = root.putArray("notes");
        result.notes().forEach(notes::add);
        try
        {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + System.lineSeparator();
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
