package io.portask.tuning;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * Linux's CPU list format, as {@code /sys/devices/system/cpu/online} and the kernel command line write it:
 * {@code 0-3,8,10-11}. An empty text (or the kernel's {@code (null)}) is no CPU.
 */
public final class CpuList
{
    private CpuList()
    {
    }

    /**
     * @param text a CPU list.
     * @return its CPUs, ascending, each once.
     * @throws IllegalArgumentException naming the part that is not a CPU number or range.
     */
    public static int[] parse(final String text)
    {
        final String trimmed = text.strip();
        final TreeSet<Integer> cpus = new TreeSet<>();
        if (trimmed.isEmpty() || "(null)".equals(trimmed))
        {
            return new int[0];
        }
        for (final String part : trimmed.split(","))
        {
            final String range = part.strip();
            final int dash = range.indexOf('-');
            try
            {
                final int first = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
                final int last = dash < 0 ? first : Integer.parseInt(range.substring(dash + 1));
                if (first < 0 || last < first || last - first > 65_536)
                {
                    throw new IllegalArgumentException("not a cpu range: '" + range + "'");
                }
                for (int cpu = first; cpu <= last; cpu++)
                {
                    cpus.add(cpu);
                }
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("not a cpu number or range: '" + range + "'", ex);
            }
        }
        return cpus.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * @param cpus CPUs in any order.
     * @return them as a CPU list with ranges, e.g. {@code 2-5,7}; empty for none.
     */
    public static String format(final int[] cpus)
    {
        final int[] sorted = Arrays.stream(cpus).distinct().sorted().toArray();
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < sorted.length; i++)
        {
            int j = i;
            while (j + 1 < sorted.length && sorted[j + 1] == sorted[j] + 1)
            {
                j++;
            }
            text.append(text.length() > 0 ? "," : "").append(sorted[i]);
            if (j > i)
            {
                text.append('-').append(sorted[j]);
            }
            i = j;
        }
        return text.toString();
    }

    /**
     * @param cpus a set.
     * @param cpu  a CPU.
     * @return whether the set holds it.
     */
    public static boolean contains(final int[] cpus, final int cpu)
    {
        for (final int each : cpus)
        {
            if (each == cpu)
            {
                return true;
            }
        }
        return false;
    }
}
