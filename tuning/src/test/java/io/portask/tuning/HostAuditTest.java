package io.portask.tuning;

import io.portask.tuning.HostAudit.Check;
import io.portask.tuning.HostAudit.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostAuditTest
{
    private static final List<String> NAMES = List.of("isolated cpus", "nohz_full", "rcu_nocbs", "cpu governor",
        "turbo", "c-states", "transparent huge pages", "swappiness", "irqbalance", "nic irq affinity", "busy polling",
        "socket buffers", "clocksource", "open files limit", "memlock limit", "jdk", "jvm flags");
    private static final List<String> TUNED_FLAGS = List.of("-Xms8g", "-Xmx8g", "-XX:+AlwaysPreTouch");

    @TempDir
    Path dir;

    private Map<String, Check> audit(final FakeHost host, final int[] pinned, final String iface) throws Exception
    {
        final List<Check> checks = new HostAudit(host.root, new HostAudit.Target(pinned, iface, "25.0.3+9-LTS",
            TUNED_FLAGS)).run();
        assertEquals(NAMES, checks.stream().map(Check::name).toList());
        return checks.stream().collect(Collectors.toMap(Check::name, Function.identity()));
    }

    @Test
    void shouldPassATunedHost() throws Exception
    {
        final FakeHost host = new FakeHost(dir);
        final List<Check> checks = new HostAudit(host.root, new HostAudit.Target(new int[]{6, 7}, "eth0",
            "25.0.3+9-LTS", TUNED_FLAGS)).run();
        assertTrue(checks.stream().allMatch(c -> Verdict.PASS == c.verdict()), HostAudit.table(checks));
        assertEquals(0, HostAudit.exitCode(checks));
        assertTrue(HostAudit.table(checks).contains("17 checks: 17 pass, 0 warn, 0 fail"));
    }

    @Test
    void shouldFailWhatStallsPinnedThreads() throws Exception
    {
        final FakeHost host = new FakeHost(dir);
        host.write("sys/devices/system/cpu/isolated", "2-3").write("proc/irq/41/smp_affinity_list", "6-7")
            .write("sys/devices/system/cpu/cpu7/cpufreq/scaling_governor", "powersave")
            .write("proc/self/limits", "Max open files            1024                 4096                 files\n");
        final Map<String, Check> checks = audit(host, new int[]{6, 7}, "eth0");
        assertEquals(Verdict.FAIL, checks.get("isolated cpus").verdict());
        assertTrue(checks.get("isolated cpus").found().contains("pinned cpus 6-7 not in 2-3"));
        assertEquals(Verdict.FAIL, checks.get("nic irq affinity").verdict());
        assertTrue(checks.get("nic irq affinity").found().contains("irq 41 on 6-7"));
        assertEquals(Verdict.FAIL, checks.get("cpu governor").verdict());
        assertTrue(checks.get("cpu governor").found().contains("cpu 7 powersave"));
        assertEquals(Verdict.FAIL, checks.get("open files limit").verdict());
        assertEquals(Verdict.WARN, checks.get("memlock limit").verdict());
        assertTrue(checks.get("isolated cpus").fix().contains("isolcpus=managed_irq,domain,6-7"));
        assertEquals(1, HostAudit.exitCode(List.copyOf(checks.values())));
    }

    @Test
    void shouldWarnOfJitterAndOfWhatItCannotRead() throws Exception
    {
        final FakeHost host = new FakeHost(dir);
        host.write("sys/kernel/mm/transparent_hugepage/enabled", "[always] madvise never")
            .write("proc/sys/vm/swappiness", "60").write("proc/42/comm", "irqbalance")
            .write("proc/sys/net/core/busy_poll", "0")
            .write("proc/sys/net/core/rmem_max", "212992")
            .write("sys/devices/system/clocksource/clocksource0/current_clocksource", "kvm-clock")
            .write("sys/devices/system/cpu/intel_pstate/no_turbo", "0")
            .write("proc/cmdline", "BOOT_IMAGE=/vmlinuz isolcpus=2-3,6-7 quiet")
            .write("sys/devices/system/cpu/cpu6/cpuidle/state2/disable", "0")
            .delete("sys/devices/system/cpu/cpu6/cpufreq/scaling_governor");
        final Map<String, Check> checks = audit(host, new int[]{6}, "eth0");
        for (final String name : List.of("transparent huge pages", "swappiness", "irqbalance", "busy polling",
            "socket buffers", "clocksource", "turbo", "rcu_nocbs", "c-states", "cpu governor"))
        {
            assertEquals(Verdict.WARN, checks.get(name).verdict(), name + ": " + checks.get(name));
            assertTrue(!checks.get(name).fix().isEmpty(), name);
        }
        assertTrue(checks.get("c-states").found().contains("1 deep idle state(s) enabled"));
        assertTrue(checks.get("cpu governor").found().contains("no cpufreq for cpu 6"));
        assertEquals(Verdict.PASS, checks.get("nohz_full").verdict());
        assertEquals(0, HostAudit.exitCode(List.copyOf(checks.values())), "warnings alone exit 0");
    }

    @Test
    void shouldJudgeTheJdkAndItsFlags() throws Exception
    {
        final FakeHost host = new FakeHost(dir);
        final List<Check> checks = new HostAudit(host.root, new HostAudit.Target(new int[]{6}, "lo", "17.0.12+7",
            List.of("-Xms1g", "-Xmx4g"))).run();
        final Map<String, Check> byName = checks.stream().collect(Collectors.toMap(Check::name, Function.identity()));
        assertEquals(Verdict.WARN, byName.get("jdk").verdict());
        assertEquals(Verdict.WARN, byName.get("jvm flags").verdict());
        assertTrue(byName.get("jvm flags").found().contains("-Xms equal to -Xmx") &&
            byName.get("jvm flags").found().contains("AlwaysPreTouch"));
        assertEquals(Verdict.PASS, byName.get("nic irq affinity").verdict());
        assertTrue(byName.get("nic irq affinity").found().contains("lo has no interrupts of its own"));
    }

    @Test
    void shouldAuditThisHostCompletelyAndAsJson() throws Exception
    {
        final List<Check> checks = new HostAudit(Path.of("/"), new HostAudit.Target(new int[]{1}, "lo",
            Runtime.version().toString(), ManagementFactory.getRuntimeMXBean().getInputArguments())).run();
        assertEquals(NAMES, checks.stream().map(Check::name).toList());
        for (final Check check : checks)
        {
            assertTrue(!check.found().isEmpty(), check.toString());
            assertTrue(Verdict.PASS == check.verdict() || !check.fix().isEmpty(), check.toString());
        }
        // /proc reports sizes of 0: the figure must be the whole number cat shows (JDK 25's readString gave "4")
        final Process cat = new ProcessBuilder("cat", "/proc/sys/net/core/rmem_max").start();
        final String rmem = new String(cat.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
            .strip();
        assertTrue(checks.get(11).found().startsWith("rmem_max " + rmem + ","), checks.get(11).toString());
        final String json = HostAudit.json(checks);
        assertTrue(json.startsWith("[") && json.strip().endsWith("]"), json);
        assertEquals(NAMES.size(), json.split("\"verdict\":").length - 1, json);
    }
}
