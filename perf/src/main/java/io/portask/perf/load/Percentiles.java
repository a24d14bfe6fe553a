package io.portask.perf.load;

import org.HdrHistogram.Histogram;

import java.util.Collection;
import java.util.Locale;

/**
 * The statistics every load result is reported in: the percentiles shown, histogram merging, and the ratio of a
 * figure to the in-run floor (the raw loopback TCP ping-pong).
 */
public final class Percentiles
{
    /** The percentiles reported, then the max (100). */
    public static final double[] REPORTED = { 50, 90, 99, 99.9, 99.99, 100 };

    /** Three significant digits, values up to an hour in nanoseconds. */
    static final int SIGNIFICANT_DIGITS = 3;

    private Percentiles()
    {
    }

    /**
     * @return an empty latency histogram in nanoseconds.
     */
    public static Histogram newHistogram()
    {
        return new Histogram(3_600_000_000_000L, SIGNIFICANT_DIGITS);
    }

    /**
     * @param percentile e.g. 99.9, or 100 for the max.
     * @return "p99.9", "p50", or "max".
     */
    public static String label(final double percentile)
    {
        if (percentile >= 100)
        {
            return "max";
        }
        return "p" + (percentile == Math.rint(percentile) ?
            Integer.toString((int)percentile) : String.format(Locale.ROOT, "%s", percentile));
    }

    /**
     * @param histogram  latencies.
     * @param percentile e.g. 99.9, or 100 for the max.
     * @return the value at the percentile.
     */
    public static long valueAt(final Histogram histogram, final double percentile)
    {
        return percentile >= 100 ? histogram.getMaxValue() : histogram.getValueAtPercentile(percentile);
    }

    /**
     * Merge histograms recorded by different threads into one: the counts add, so percentiles of the result are
     * percentiles over every recorded value.
     *
     * @param parts histograms to merge; left unchanged.
     * @return a new histogram holding every value of every part.
     */
    public static Histogram merge(final Collection<? extends Histogram> parts)
    {
        final Histogram merged = newHistogram();
        for (final Histogram part : parts)
        {
            merged.add(part);
        }
        return merged;
    }

    /**
     * The figure at a percentile as a multiple of the floor's figure at the same percentile.
     *
     * @param histogram  latencies measured.
     * @param floor      the floor measured in the same run.
     * @param percentile e.g. 99, or 100 for the max.
     * @return the ratio, NaN when the floor recorded nothing.
     */
    public static double ratio(final Histogram histogram, final Histogram floor, final double percentile)
    {
        if (0 == floor.getTotalCount() || 0 == histogram.getTotalCount())
        {
            return Double.NaN;
        }
        return (double)valueAt(histogram, percentile) / Math.max(1, valueAt(floor, percentile));
    }
}
