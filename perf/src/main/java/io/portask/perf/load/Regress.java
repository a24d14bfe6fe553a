package io.portask.perf.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code portask perf regress}: runs the short suite a baseline file lists, and for each figure prints PASS or
 * REGRESSION against the reviewed baseline with its tolerance; writes a markdown report and exits 1 when any
 * figure regressed. Figures are ratios to the floor measured in the same run, never absolute times, so a
 * baseline from one machine of a kind holds on another of that kind.
 * <pre>
 *   ./portask perf regress [--baseline perf/baselines/2core-vm.json] [--out perf-results] [--update]
 * </pre>
 * {@code --update} writes the measured ratios into the baseline file (tolerances kept) for a person to review
 * and commit.
 */
public final class Regress
{
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One figure's outcome.
     *
     * @param id        "scenario series measure".
     * @param measured  the ratio measured now.
     * @param baseline  the reviewed ratio.
     * @param tolerance allowed relative worsening, e.g. 0.5 for 50%.
     * @param throughput true when higher is better (a throughput figure), false for latency.
     */
    record Outcome(String id, double measured, double baseline, double tolerance, boolean throughput)
    {
        /**
         * @return true when the figure is worse than the baseline by more than the tolerance.
         */
        boolean regressed()
        {
            if (Double.isNaN(measured))
            {
                return true;
            }
            return throughput ? measured < baseline * (1 - tolerance) : measured > baseline * (1 + tolerance);
        }

        /**
         * @return the limit the measured ratio must stay within.
         */
        double limit()
        {
            return throughput ? baseline * (1 - tolerance) : baseline * (1 + tolerance);
        }
    }

    private Regress()
    {
    }

    /**
     * @param args options, see the class comment.
     * @throws Exception when the suite cannot run.
     */
    public static void main(final String[] args) throws Exception
    {
        Path baseline = Path.of("perf/baselines/2core-vm.json");
        Path out = Path.of("perf-results");
        boolean update = false;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--baseline" -> baseline = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--update" -> update = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        final List<Outcome> outcomes = run(baseline, out, update, System.out);
        System.exit(outcomes.stream().anyMatch(Outcome::regressed) && !update ? 1 : 0);
    }

    static List<Outcome> run(final Path baselineFile, final Path out, final boolean update, final PrintStream console)
        throws Exception
    {
        final ObjectNode baseline = (ObjectNode)JSON.readTree(baselineFile.toFile());
        final List<Outcome> outcomes = new ArrayList<>();
        final List<String> conditions = new ArrayList<>();
        for (final JsonNode runNode : baseline.get("runs"))
        {
            final String scenario = runNode.get("scenario").asText();
            final String[] args = ("x --out " + out + " " + runNode.get("args").asText()).trim().split(" +");
            final RunResult result = LoadGenerator.run(scenario, LoadOptions.parse(args, 1),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            conditions.add(scenario + ": " + result.conditions().describe());
            for (final JsonNode figure : runNode.get("figures"))
            {
                final double measured = measure(result, figure.get("series").asText(), figure.get("measure").asText());
                final Outcome outcome = new Outcome(scenario + " " + figure.get("series").asText() + " " +
                    figure.get("measure").asText(), measured, figure.get("ratio").asDouble(),
                    figure.get("tolerance").asDouble(), "throughput".equals(figure.get("measure").asText()));
                outcomes.add(outcome);
                console.println(line(outcome));
                if (update)
                {
                    ((ObjectNode)figure).put("ratio", Math.round(measured * 100) / 100.0);
                }
            }
        }
        final String report = markdown(baselineFile, outcomes, conditions);
        Files.createDirectories(out);
        final Path reportFile = Path.of(ResultWriter.stamped(out, "regress") + ".md");
        Files.writeString(reportFile, report, StandardCharsets.UTF_8);
        final long regressions = outcomes.stream().filter(Outcome::regressed).count();
        console.println((0 == regressions ? "PASS" : "REGRESSION") + ": " + regressions + " of " + outcomes.size() +
            " figures outside tolerance; report " + reportFile);
        if (update)
        {
            baseline.put("measured", LocalDateTime.now().toLocalDate() + ", " +
                Conditions.ofThisMachine().describe());
            JSON.writerWithDefaultPrettyPrinter().writeValue(baselineFile.toFile(), baseline);
            console.println("baseline updated: " + baselineFile + " (review the diff before committing)");
        }
        return outcomes;
    }

    /**
     * @param result  a run.
     * @param series  series name.
     * @param measure "p50", "p99", ... as ratio to the floor, or "throughput": records moved per floor round trip
     *                at p50 (records/s x floor p50 in seconds).
     * @return the figure, NaN when the series is missing.
     */
    static double measure(final RunResult result, final String series, final String measure)
    {
        if ("throughput".equals(measure))
        {
            final Throughput throughput = result.throughputs().stream().filter(t -> t.name().equals(series))
                .findFirst().orElse(null);
            final Series floor = result.series().isEmpty() ? null : result.series().get(0);
            return null == throughput || null == floor ? Double.NaN :
                throughput.recordsPerSecond() * Percentiles.valueAt(floor.histogram(), 50) / 1e9;
        }
        final Series found = result.series(series);
        if (null == found)
        {
            return Double.NaN;
        }
        for (final double p : Percentiles.REPORTED)
        {
            if (Percentiles.label(p).equals(measure))
            {
                return found.ratio(p);
            }
        }
        throw new IllegalArgumentException("unknown measure '" + measure + "' for " + series +
            ": use p50, p90, p99, p99.9, p99.99, max or throughput");
    }

    static String line(final Outcome outcome)
    {
        return String.format(Locale.ROOT, "%-10s %-48s measured %8.2f  baseline %8.2f  limit %8.2f",
            outcome.regressed() ? "REGRESSION" : "PASS", outcome.id(), outcome.measured(), outcome.baseline(),
            outcome.limit());
    }

    static String markdown(final Path baselineFile, final List<Outcome> outcomes, final List<String> conditions)
    {
        final StringBuilder md = new StringBuilder(1024)
            .append("# Portask perf regress\n\n")
            .append("Baseline `").append(baselineFile).append("`.\n\n")
            .append("Figures are ratios to the raw TCP ping-pong measured in the same run (throughput: records ")
            .append("per floor round trip); latency regresses when above the limit, throughput when below.\n\n")
            .append("| verdict | figure | measured | baseline | limit |\n|---|---|---|---|---|\n");
        for (final Outcome outcome : outcomes)
        {
            md.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f |%n",
                outcome.regressed() ? "**REGRESSION**" : "PASS", outcome.id(), outcome.measured(), outcome.baseline(),
                outcome.limit()));
        }
        md.append("\n## Conditions\n\n");
        conditions.forEach(line -> md.append("- ").append(line).append('\n'));
        return md.toString();
    }
}
