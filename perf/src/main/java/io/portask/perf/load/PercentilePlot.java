package io.portask.perf.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The percentile plot HdrHistogram users know: latency (log scale) against percentile on a "nines" axis, where
 * 90%, 99%, 99.9% and 99.99% are evenly spaced, one line per series, floors dashed. Drawn headless with Java2D
 * into a PNG.
 */
final class PercentilePlot
{
    private static final int WIDTH = 1100;
    private static final int HEIGHT = 640;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 88;
    private static final int WRAP = 180;
    private static final int CONDITION_LINES = 3;
    private static final int BOTTOM = 60;
    private static final double MAX_NINES = 5; // 99.999%
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf),
    };

    private PercentilePlot()
    {
    }

    static void write(final RunResult result, final Path file) throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        final BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = image.createGraphics();
        try
        {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            final double[] range = latencyRangeUs(result);
            drawAxes(g, result, range);
            int colour = 0;
            int legendY = TOP + 16;
            for (final Series series : result.series())
            {
                if (0 == series.histogram().getTotalCount())
                {
                    continue;
                }
                final Color color = COLORS[colour++ % COLORS.length];
                g.setColor(color);
                g.setStroke(null == series.floor() && result.series().size() > 1 ?
                    new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] { 6f, 4f }, 0f) :
                    new BasicStroke(2f));
                g.draw(line(series.histogram(), range));
                g.drawLine(LEFT + 14, legendY - 4, LEFT + 44, legendY - 4);
                g.setColor(Color.DARK_GRAY);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
                g.drawString(String.format(Locale.ROOT, "%s  (p50 %.1f us, p99 %.1f us, max %.1f us)", series.name(),
                    series.histogram().getValueAtPercentile(50) / 1000.0,
                    series.histogram().getValueAtPercentile(99) / 1000.0, series.histogram().getMaxValue() / 1000.0),
                    LEFT + 52, legendY);
                legendY += 16;
            }
        }
        finally
        {
            g.dispose();
        }
        ImageIO.write(image, "png", file.toFile());
    }

    private static double[] latencyRangeUs(final RunResult result)
    {
        double min = Double.MAX_VALUE;
        double max = 0;
        for (final Series series : result.series())
        {
            if (series.histogram().getTotalCount() > 0)
            {
                min = Math.min(min, series.histogram().getMinValue() / 1000.0);
                max = Math.max(max, series.histogram().getMaxValue() / 1000.0);
            }
        }
        if (0 == max)
        {
            return new double[] { 0, 1 };
        }
        return new double[] { Math.floor(Math.log10(Math.max(0.1, min))), Math.ceil(Math.log10(max * 1.01)) };
    }

    private static void drawAxes(final Graphics2D g, final RunResult result, final double[] range)
    {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(result.scenario() + ": latency by percentile", LEFT, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        String conditions = result.conditions().describe();
        for (int line = 0; line < CONDITION_LINES && !conditions.isEmpty(); line++)
        {
            final int comma = conditions.lastIndexOf(", ", WRAP);
            final int cut = conditions.length() <= WRAP || line == CONDITION_LINES - 1 || comma < 0 ?
                conditions.length() : comma + 1;
            g.drawString(abbreviate(conditions.substring(0, cut), WRAP), LEFT, 40 + 13 * line);
            conditions = conditions.substring(cut).trim();
        }
        final int plotBottom = HEIGHT - BOTTOM;
        g.setColor(new Color(0xe0e0e0));
        for (double decade = range[0]; decade <= range[1]; decade++)
        {
            final int y = y(Math.pow(10, decade), range);
            g.drawLine(LEFT, y, WIDTH - RIGHT, y);
        }
        for (int nines = 0; nines <= MAX_NINES; nines++)
        {
            final int x = x(nines);
            g.drawLine(x, TOP, x, plotBottom);
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, WIDTH - LEFT - RIGHT, plotBottom - TOP);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (double decade = range[0]; decade <= range[1]; decade++)
        {
            final double us = Math.pow(10, decade);
            g.drawString(us >= 1 ? String.format(Locale.ROOT, "%,.0f", us) : String.format(Locale.ROOT, "%.1f", us),
                8, y(us, range) + 4);
        }
        final String[] labels = { "0%", "90%", "99%", "99.9%", "99.99%", "99.999%" };
        for (int nines = 0; nines <= MAX_NINES; nines++)
        {
            g.drawString(labels[nines], x(nines) - 14, plotBottom + 18);
        }
        g.drawString("percentile", (WIDTH - LEFT) / 2, HEIGHT - 14);
        g.drawString("us (log)", 8, TOP - 8);
    }

    private static Path2D line(final Histogram histogram, final double[] range)
    {
        final Path2D path = new Path2D.Double();
        boolean first = true;
        for (final HistogramIterationValue value : histogram.percentiles(5))
        {
            final double nines = Math.min(MAX_NINES, -Math.log10(1.0 - value.getPercentileLevelIteratedTo() / 100.0));
            final double px = x(Double.isInfinite(nines) ? MAX_NINES : nines);
            final double py = y(Math.max(0.1, value.getValueIteratedTo() / 1000.0), range);
            if (first)
            {
                path.moveTo(px, py);
                first = false;
            }
            else
            {
                path.lineTo(px, py);
            }
        }
        return path;
    }

    private static int x(final double nines)
    {
        return LEFT + (int)Math.round(nines / MAX_NINES * (WIDTH - LEFT - RIGHT));
    }

    private static int y(final double us, final double[] range)
    {
        final double fraction = (Math.log10(us) - range[0]) / Math.max(1e-9, range[1] - range[0]);
        return HEIGHT - BOTTOM - (int)Math.round(fraction * (HEIGHT - BOTTOM - TOP));
    }

    private static String abbreviate(final String text, final int length)
    {
        return text.length() <= length ? text : text.substring(0, length - 3) + "...";
    }
}
