package io.portask.perf;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The soak's samples over time as an SVG: four panels stacked (memory, latency, descriptors and threads, lags),
 * each scaled from zero to its largest value, time along the bottom.
 */
final class SoakPlot
{
    private static final int WIDTH = 900;
    private static final int PANEL_HEIGHT = 160;
    private static final int LEFT = 80;
    private static final int TOP = 40;
    private static final int GAP = 40;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};

    private SoakPlot()
    {
    }

    private record Line(String name, ToDoubleFunction<SoakReport.Sample> value)
    {
    }

    private record Panel(String title, List<Line> lines)
    {
    }

    static String svg(final String conditions, final List<SoakReport.Sample> samples)
    {
        final List<Panel> panels = List.of(
            new Panel("memory (MiB)", List.of(new Line("RSS", sample -> sample.rssKb() / 1024.0),
                new Line("anonymous", sample -> sample.anonKb() / 1024.0),
                new Line("file-backed", sample -> sample.fileKb() / 1024.0),
                new Line("memory tier", sample -> sample.tierKb() / 1024.0),
                new Line("heap after GC", sample -> sample.heapKb() / 1024.0))),
            new Panel("produce-ack latency (ms)", List.of(new Line("p99", sample -> sample.p99Us() / 1000.0),
                new Line("p50", sample -> sample.p50Us() / 1000.0))),
            new Panel("descriptors and threads", List.of(new Line("open fds", SoakReport.Sample::fds),
                new Line("threads", SoakReport.Sample::threads))),
            new Panel("lag (records)", List.of(new Line("push", SoakReport.Sample::pushLag),
                new Line("fetch", SoakReport.Sample::fetchLag), new Line("group", SoakReport.Sample::groupLag),
                new Line("write-behind", SoakReport.Sample::writeBehindLag))));
        final int height = TOP + panels.size() * (PANEL_HEIGHT + GAP);
        final StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" " +
            "font-size=\"11\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n" +
            "<text x=\"%d\" y=\"18\">%s</text>%n", WIDTH, height, LEFT, escape(shorten(conditions))));
        final double lastSecond = samples.isEmpty() ? 1 : Math.max(1, samples.getLast().seconds());
        for (int p = 0; p < panels.size(); p++)
        {
            panel(svg, panels.get(p), samples, TOP + p * (PANEL_HEIGHT + GAP), lastSecond);
        }
        return svg.append("</svg>\n").toString();
    }

    private static void panel(final StringBuilder svg, final Panel panel, final List<SoakReport.Sample> samples,
        final int top, final double lastSecond)
    {
        final int plotWidth = WIDTH - LEFT - 20;
        double max = 0;
        for (final Line line : panel.lines())
        {
            for (final SoakReport.Sample sample : samples)
            {
                max = Math.max(max, line.value().applyAsDouble(sample));
            }
        }
        final double scale = 0 == max ? 1 : max * 1.05;
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n" +
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n" +
            "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%,.1f</text>%n<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0" +
            "</text>%n<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f s</text>%n", LEFT, top - 6, panel.title(), LEFT,
            top, plotWidth, PANEL_HEIGHT, LEFT - 4, top + 10, scale, LEFT - 4, top + PANEL_HEIGHT, LEFT + plotWidth,
            top + PANEL_HEIGHT + 14, lastSecond));
        for (int l = 0; l < panel.lines().size(); l++)
        {
            final Line line = panel.lines().get(l);
            final StringBuilder points = new StringBuilder();
            for (final SoakReport.Sample sample : samples)
            {
                final double x = LEFT + plotWidth * sample.seconds() / lastSecond;
                final double y = top + PANEL_HEIGHT - PANEL_HEIGHT * line.value().applyAsDouble(sample) / scale;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" " +
                "points=\"%s\"/>%n<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n", COLOURS[l],
                points.toString().strip(), LEFT + 10 + 110 * l, top + 14, COLOURS[l], line.name()));
        }
    }

    private static String shorten(final String text)
    {
        return text.length() > 140 ? text.substring(0, 137) + "..." : text;
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
