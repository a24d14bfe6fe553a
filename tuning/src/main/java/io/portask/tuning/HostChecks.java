package io.portask.tuning;

import io.portask.tuning.HostAudit.Check;
import io.portask.tuning.HostAudit.Verdict;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The audit's checks that read one value each: limits, the JDK and its flags, numbers in {@code /proc/sys}.
 */
final class HostChecks
{
    private static final long MIN_OPEN_FILES = 65_536;
    private static final long MIN_MEMLOCK_BYTES = 1L << 30;

    private HostChecks()
    {
    }

    static Check atMost(final String name, final String value, final long most, final Verdict over, final String fix)
    {
        final long number = number(value);
        if (number < 0)
        {
            return new Check(name, Verdict.WARN, "not readable", fix);
        }
        return number <= most ? new Check(name, Verdict.PASS, value, "") :
            new Check(name, over, value + " (over " + most + ")", fix);
    }

    /**
     * @param limits {@code /proc/self/limits}: this process's; the broker's come from its unit.
     */
    static List<Check> limits(final String limits)
    {
        final List<Check> checks = new ArrayList<>();
        final String files = soft(limits, "Max open files");
        final long fileCount = "unlimited".equals(files) ? Long.MAX_VALUE : number(files);
        checks.add(fileCount >= MIN_OPEN_FILES ?
            new Check("open files limit", Verdict.PASS, files, "") :
            new Check("open files limit", Verdict.FAIL, (files.isEmpty() ? "not readable" : files) +
            " (a connection is a descriptor; at least " + MIN_OPEN_FILES + ")",
            "LimitNOFILE=1048576 in the broker's unit (ulimit -n for a shell)"));
        final String memlock = soft(limits, "Max locked memory");
        final long lockable = "unlimited".equals(memlock) ? Long.MAX_VALUE : number(memlock);
        checks.add(lockable >= MIN_MEMLOCK_BYTES ?
            new Check("memlock limit", Verdict.PASS, memlock, "") :
            new Check("memlock limit", Verdict.WARN, (memlock.isEmpty() ? "not readable" : memlock + " bytes") +
            ": too little to lock the heap and the journal's mapped pages",
            "LimitMEMLOCK=infinity in the broker's unit (ulimit -l unlimited for a shell)"));
        return checks;
    }

    static Check jdk(final String version)
    {
        final Matcher feature = Pattern.compile("^(\\d+)").matcher(version);
        final int major = feature.find() ? Integer.parseInt(feature.group(1)) : 0;
        return major >= 21 ? new Check("jdk", Verdict.PASS, version, "") :
            new Check("jdk", Verdict.WARN, version + ": the broker is built and measured on 25",
            "install a JDK 21+ (25 is what Portask is measured on) and point JAVA_HOME at it");
    }

    static Check jvmFlags(final List<String> flags)
    {
        final List<String> missing = new ArrayList<>();
        final String xms = last(flags, "-Xms");
        final String xmx = last(flags, "-Xmx");
        if (null == xms || !xms.equals(xmx))
        {
            missing.add("-Xms equal to -Xmx (a heap that never resizes)");
        }
        if (!flags.contains("-XX:+AlwaysPreTouch"))
        {
            missing.add("-XX:+AlwaysPreTouch (heap pages touched at start, not on first use)");
        }
        return missing.isEmpty() ?
            new Check("jvm flags", Verdict.PASS, "-Xms" + xms + " = -Xmx" + xmx + ", -XX:+AlwaysPreTouch", "") :
            new Check("jvm flags", Verdict.WARN, "without " + String.join(", ", missing),
            "PORTASK_JAVA_OPTS=\"-Xms8g -Xmx8g -XX:+AlwaysPreTouch\" in the broker's unit (Environment=)");
    }

    /**
     * @param cpuidle a CPU's {@code cpuidle} folder.
     * @return how many of its idle states deeper than C1 ({@code state2} and up) are enabled.
     */
    static long enabledDeepStates(final Path cpuidle) throws IOException
    {
        try (Stream<Path> states = Files.list(cpuidle))
        {
            return states.filter(p -> p.getFileName().toString().matches("state([2-9]|\\d\\d+)"))
                .filter(p -> "0".equals(quietRead(p.resolve("disable")))).count();
        }
    }

    static String quietRead(final Path file)
    {
        try
        {
            return CpuLayout.text(file, "");
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    static boolean positive(final String value)
    {
        return number(value) > 0;
    }

    static long number(final String value)
    {
        try
        {
            return Long.parseLong(value.strip());
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    private static String soft(final String limits, final String name)
    {
        for (final String line : limits.split("\n"))
        {
            if (line.startsWith(name))
            {
                final String[] parts = line.substring(name.length()).strip().split("\\s+");
                return parts.length > 0 ? parts[0] : "";
            }
        }
        return "";
    }

    private static String last(final List<String> flags, final String prefix)
    {
        String value = null;
        for (final String flag : flags)
        {
            if (flag.startsWith(prefix))
            {
                value = flag.substring(prefix.length());
            }
        }
        return value;
    }
}
