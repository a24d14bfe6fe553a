package io.portask.tuning;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code portask tune check}: audits a host for low latency as the Aeron, Chronicle and Redpanda tuning guides do,
 * for the CPUs the broker's threads are placed on. Every check reads files under a root folder ({@code /} on a
 * host, a made-up tree in tests) and gives PASS, WARN or FAIL with what it found and the setting that fixes it.
 * FAIL is for what makes pinned threads stall (a pinned CPU the scheduler still uses, the NIC's interrupts on a
 * pinned CPU, a power-saving governor, too few file descriptors); WARN for what adds jitter or what could not be
 * read. Runs on any thread; reads only.
 */
public final class HostAudit
{
    /** A check's outcome. */
    public enum Verdict
    {
        /** As the guides advise. */
        PASS,
        /** Adds jitter, or could not be read. */
        WARN,
        /** Stalls the pinned threads. */
        FAIL
    }

    /**
     * One line of the audit.
     *
     * @param name    what was checked.
     * @param verdict the outcome.
     * @param found   what the host has.
     * @param fix     the setting that fixes it (empty when it passed).
     */
    public record Check(String name, Verdict verdict, String found, String fix)
    {
    }

    /**
     * What the audit looks at besides the files.
     *
     * @param pinned   the CPUs the broker's latency-critical threads are placed on (may be empty).
     * @param iface    the network interface the broker listens on, or null when unknown.
     * @param jdk      the JDK version and vendor.
     * @param jvmFlags the JVM's flags (its input arguments).
     */
    public record Target(int[] pinned, String iface, String jdk, List<String> jvmFlags)
    {
    }

    private static final long MIB = 1L << 20;

    private final Path root;
    private final Target target;
    private final String pinned;
    private final String cmdline;

    /**
     * @param root   the file system root.
     * @param target the CPUs, interface and JVM to audit.
     * @throws IOException when the root cannot be read.
     */
    public HostAudit(final Path root, final Target target) throws IOException
    {
        this.root = root;
        this.target = target;
        this.pinned = CpuList.format(target.pinned());
        this.cmdline = read("proc/cmdline");
    }

    /**
     * @return every check, in a fixed order.
     */
    public List<Check> run() throws IOException
    {
        final List<Check> checks = new ArrayList<>();
        checks.add(cpuSet("isolated cpus", "sys/devices/system/cpu/isolated", Verdict.FAIL,
            "isolcpus=managed_irq,domain," + cpusOrExample() + " on the kernel command line (GRUB_CMDLINE_LINUX)"));
        checks.add(cpuSet("nohz_full", "sys/devices/system/cpu/nohz_full", Verdict.WARN,
            "nohz_full=" + cpusOrExample() + " on the kernel command line"));
        checks.add(rcuNocbs());
        checks.add(governor());
        checks.add(turbo());
        checks.add(cStates());
        checks.add(transparentHugePages());
        checks.add(HostChecks.atMost("swappiness", read("proc/sys/vm/swappiness"), 10, Verdict.WARN,
            "sysctl vm.swappiness=1 (in /etc/sysctl.d/90-portask.conf)"));
        checks.add(irqbalance());
        checks.add(nicInterrupts());
        checks.add(busyPolling());
        checks.add(socketBuffers());
        checks.add(clocksource());
        checks.addAll(HostChecks.limits(read("proc/self/limits")));
        checks.add(HostChecks.jdk(target.jdk()));
        checks.add(HostChecks.jvmFlags(target.jvmFlags()));
        return checks;
    }

    /**
     * @param checks an audit.
     * @return 1 when any check failed, else 0.
     */
    public static int exitCode(final List<Check> checks)
    {
        return checks.stream().anyMatch(check -> Verdict.FAIL == check.verdict()) ? 1 : 0;
    }

    /**
     * @param checks an audit.
     * @return a table, one line per check, and the fix under each one that did not pass.
     */
    public static String table(final List<Check> checks)
    {
        final StringBuilder text =
            new StringBuilder(String.format(Locale.ROOT, "%-24s %-5s %s%n", "check", "", "found"));
        for (final Check check : checks)
        {
            text.append(String.format(Locale.ROOT, "%-24s %-5s %s%n", check.name(), check.verdict(), check.found()));
            if (Verdict.PASS != check.verdict())
            {
                text.append(String.format(Locale.ROOT, "%-24s %-5s fix: %s%n", "", "", check.fix()));
            }
        }
        final long fails = checks.stream().filter(c -> Verdict.FAIL == c.verdict()).count();
        final long warns = checks.stream().filter(c -> Verdict.WARN == c.verdict()).count();
        return text.append(String.format(Locale.ROOT, "%d checks: %d pass, %d warn, %d fail%n", checks.size(),
            checks.size() - fails - warns, warns, fails)).toString();
    }

    /**
     * @param checks an audit.
     * @return it as a JSON array of {name, verdict, found, fix}.
     */
    public static String json(final List<Check> checks)
    {
        final StringBuilder text = new StringBuilder("[");
        for (final Check check : checks)
        {
            text.append(text.length() > 1 ? ",\n " : "\n ").append("{\"name\":").append(quote(check.name()))
                .append(",\"verdict\":\"").append(check.verdict()).append("\",\"found\":").append(quote(check.found()))
                .append(",\"fix\":").append(quote(check.fix())).append('}');
        }
        return text.append("\n]\n").toString();
    }

    private Check cpuSet(final String name, final String file, final Verdict missing, final String fix)
        throws IOException
    {
        final int[] set = CpuList.parse(read(file));
        if (0 == target.pinned().length)
        {
            return new Check(name, Verdict.WARN, "no cpus placed (DEDICATED mode with portask.cpu.*); host has " +
                orNone(CpuList.format(set)), fix);
        }
        final int[] outside = outside(target.pinned(), set);
        return 0 == outside.length ?
            new Check(name, Verdict.PASS, "pinned cpus " + pinned + " in " + CpuList.format(set), "") :
            new Check(name, missing, "pinned cpus " + CpuList.format(outside) + " not in " +
                orNone(CpuList.format(set)), fix);
    }

    private Check rcuNocbs()
    {
        final Matcher matcher = Pattern.compile("(?:^|\\s)rcu_nocbs=(\\S+)").matcher(cmdline);
        final int[] set = matcher.find() ? parseOrEmpty(matcher.group(1)) : new int[0];
        final String fix = "rcu_nocbs=" + cpusOrExample() + " on the kernel command line";
        if (0 == target.pinned().length)
        {
            return new Check("rcu_nocbs", Verdict.WARN, "no cpus placed; kernel has " + orNone(CpuList.format(set)),
                fix);
        }
        final int[] outside = outside(target.pinned(), set);
        return 0 == outside.length ? new Check("rcu_nocbs", Verdict.PASS, "covers " + pinned, "") :
            new Check("rcu_nocbs", Verdict.WARN, "pinned cpus " + CpuList.format(outside) + " not in " +
            orNone(CpuList.format(set)), fix);
    }

    private Check governor() throws IOException
    {
        final String fix = "cpupower frequency-set -g performance (or tuned-adm profile latency-performance)";
        final StringBuilder found = new StringBuilder();
        Verdict verdict = Verdict.PASS;
        for (final int cpu : auditedCpus())
        {
            final String governor = read("sys/devices/system/cpu/cpu" + cpu + "/cpufreq/scaling_governor");
            if (governor.isEmpty())
            {
                return new Check("cpu governor", Verdict.WARN, "no cpufreq for cpu " + cpu +
                    " (a VM, or the firmware sets the frequency)", fix);
            }
            if (!"performance".equals(governor))
            {
                verdict = Verdict.FAIL;
            }
            found.append(found.length() > 0 ? ", " : "").append("cpu ").append(cpu).append(' ').append(governor);
        }
        return new Check("cpu governor", verdict, found.toString(), Verdict.PASS == verdict ? "" : fix);
    }

    private Check turbo() throws IOException
    {
        final String noTurbo = read("sys/devices/system/cpu/intel_pstate/no_turbo");
        final String boost = read("sys/devices/system/cpu/cpufreq/boost");
        final String fix = "echo 1 > /sys/devices/system/cpu/intel_pstate/no_turbo (or cpufreq/boost = 0) for a " +
            "steady clock, or keep turbo and accept its frequency changes";
        if (noTurbo.isEmpty() && boost.isEmpty())
        {
            return new Check("turbo", Verdict.WARN, "not exposed (a VM, or no intel_pstate/cpufreq boost)", fix);
        }
        final boolean on = noTurbo.isEmpty() ? "1".equals(boost) : "0".equals(noTurbo);
        return on ? new Check("turbo", Verdict.WARN, "on: the clock follows load and temperature", fix) :
            new Check("turbo", Verdict.PASS, "off: a steady clock", "");
    }

    private Check cStates() throws IOException
    {
        final String fix = "intel_idle.max_cstate=1 processor.max_cstate=1 on the kernel command line (or " +
            "tuned-adm profile latency-performance)";
        final Matcher limit = Pattern.compile("(?:intel_idle|processor)\\.max_cstate=(\\d+)").matcher(cmdline);
        if (cmdline.matches("(?s).*(^|\\s)idle=poll(\\s|$).*"))
        {
            return new Check("c-states", Verdict.PASS, "idle=poll", "");
        }
        if (limit.find() && Integer.parseInt(limit.group(1)) <= 1)
        {
            return new Check("c-states", Verdict.PASS, limit.group(), "");
        }
        final Path idle = root.resolve("sys/devices/system/cpu/cpu" + auditedCpus()[0] + "/cpuidle");
        final long deep = Files.isDirectory(idle) ? HostChecks.enabledDeepStates(idle) : -1;
        return -1 == deep ? new Check("c-states", Verdict.WARN, "no cpuidle states exposed and no max_cstate", fix) :
            0 == deep ? new Check("c-states", Verdict.PASS, "no idle state deeper than C1 enabled", "") :
            new Check("c-states", Verdict.WARN, deep + " deep idle state(s) enabled: waking costs microseconds", fix);
    }

    private Check transparentHugePages() throws IOException
    {
        final String enabled = read("sys/kernel/mm/transparent_hugepage/enabled");
        final String fix = "echo madvise > /sys/kernel/mm/transparent_hugepage/enabled " +
            "(transparent_hugepage=madvise on the kernel command line)";
        if (enabled.isEmpty())
        {
            return new Check("transparent huge pages", Verdict.PASS, "not in this kernel", "");
        }
        return enabled.contains("[always]") ?
            new Check("transparent huge pages", Verdict.WARN, "always: khugepaged compaction stalls", fix) :
            new Check("transparent huge pages", Verdict.PASS, enabled, "");
    }

    private Check irqbalance() throws IOException
    {
        final String fix = "systemctl disable --now irqbalance, or IRQBALANCE_BANNED_CPULIST=" + cpusOrExample() +
            " in /etc/default/irqbalance";
        final Path proc = root.resolve("proc");
        boolean running = false;
        if (Files.isDirectory(proc))
        {
            try (Stream<Path> entries = Files.list(proc))
            {
                running = entries.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .anyMatch(p -> "irqbalance".equals(HostChecks.quietRead(p.resolve("comm"))));
            }
        }
        return running ? new Check("irqbalance", Verdict.WARN, "running: may move interrupts onto pinned cpus", fix) :
            new Check("irqbalance", Verdict.PASS, "not running", "");
    }

    private Check nicInterrupts() throws IOException
    {
        final String fix = "echo <housekeeping cpus> > /proc/irq/N/smp_affinity_list for the NIC's IRQs (and " +
            "ban the pinned cpus in irqbalance)";
        if (null == target.iface())
        {
            return new Check("nic irq affinity", Verdict.WARN, "interface unknown (listening on every address?)",
                "set portask.cpu.interface to the NIC clients come in on");
        }
        final List<String> offending = new ArrayList<>();
        int irqs = 0;
        for (final String line : read("proc/interrupts").split("\n"))
        {
            final String[] parts = line.strip().split("\\s+");
            if (parts.length > 1 && parts[0].endsWith(":") && parts[0].matches("\\d+:") &&
                line.matches(".*\\b" + Pattern.quote(target.iface()) + "\\b.*"))
            {
                final String irq = parts[0].substring(0, parts[0].length() - 1);
                irqs++;
                final int[] cpus = parseOrEmpty(read("proc/irq/" + irq + "/smp_affinity_list"));
                if (outside(target.pinned(), cpus).length < target.pinned().length)
                {
                    offending.add("irq " + irq + " on " + CpuList.format(cpus));
                }
            }
        }
        if (0 == irqs)
        {
            return new Check("nic irq affinity", Verdict.PASS, target.iface() + " has no interrupts of its own " +
                "(loopback or virtual)", "");
        }
        if (offending.isEmpty())
        {
            return new Check("nic irq affinity", Verdict.PASS,
                irqs + " irq(s) of " + target.iface() + " off the pinned cpus", "");
        }
        return new Check("nic irq affinity", Verdict.FAIL,
            String.join(", ", offending) + " (pinned: " + pinned + ")", fix);
    }

    private Check busyPolling() throws IOException
    {
        final String poll = read("proc/sys/net/core/busy_poll");
        final String readUs = read("proc/sys/net/core/busy_read");
        final boolean on = HostChecks.positive(poll) && HostChecks.positive(readUs);
        return new Check("busy polling", on ? Verdict.PASS : Verdict.WARN, "net.core.busy_poll " + orNone(poll) +
            ", busy_read " + orNone(readUs), on ? "" : "sysctl net.core.busy_poll=50 net.core.busy_read=50");
    }

    private Check socketBuffers() throws IOException
    {
        final long rmem = HostChecks.number(read("proc/sys/net/core/rmem_max"));
        final long wmem = HostChecks.number(read("proc/sys/net/core/wmem_max"));
        final boolean enough = rmem >= 4 * MIB && wmem >= 4 * MIB;
        return new Check("socket buffers", enough ? Verdict.PASS : Verdict.WARN, "rmem_max " + rmem + ", wmem_max " +
            wmem, enough ? "" : "sysctl net.core.rmem_max=16777216 net.core.wmem_max=16777216");
    }

    private Check clocksource() throws IOException
    {
        final String source = read("sys/devices/system/clocksource/clocksource0/current_clocksource");
        return "tsc".equals(source) ? new Check("clocksource", Verdict.PASS, "tsc", "") :
            new Check("clocksource", Verdict.WARN, orNone(source) + ": clock reads cost more than with tsc",
            "clocksource=tsc tsc=reliable on the kernel command line (a VM needs an invariant TSC from its host)");
    }

    private int[] auditedCpus()
    {
        return target.pinned().length > 0 ? target.pinned() : new int[]{0};
    }

    private String cpusOrExample()
    {
        return pinned.isEmpty() ? "2-5" : pinned;
    }

    private String read(final String file) throws IOException
    {
        return CpuLayout.text(root.resolve(file), "");
    }

    private static int[] outside(final int[] cpus, final int[] set)
    {
        return java.util.Arrays.stream(cpus).filter(cpu -> !CpuList.contains(set, cpu)).toArray();
    }

    private static int[] parseOrEmpty(final String text)
    {
        try
        {
            return CpuList.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            return new int[0];
        }
    }

    private static String orNone(final String value)
    {
        return value.isEmpty() ? "none" : value;
    }

    private static String quote(final String value)
    {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
