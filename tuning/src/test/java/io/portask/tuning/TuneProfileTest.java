package io.portask.tuning;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

class TuneProfileTest
{
    @TempDir
    Path dir;

    @Test
    void shouldIsolateTheCpusThePlanGivesTheCriticalThreads() throws Exception
    {
        final FakeHost host = new FakeHost(dir);
        final CpuLayout layout = CpuLayout.read(host.root);
        final String profile = TuneProfile.render(layout, Placement.plan(layout, Map.of(), 1));
        assertTrue(profile.contains("isolcpus=managed_irq,domain,2,6-7 nohz_full=2,6-7 rcu_nocbs=2,6-7"), profile);
        assertTrue(profile.contains("IRQBALANCE_BANNED_CPULIST=2,6-7"), profile);
        // the unit runs on the pinned cpus and on every cpu not isolated; cpu 3 is isolated and unused
        assertTrue(profile.contains("CPUAffinity=0-2 4-7\n"), profile);
        assertTrue(profile.contains("LimitMEMLOCK=infinity") && profile.contains("vm.swappiness = 1"), profile);
        assertTrue(profile.contains("# thread placement (NIC node 1):"), profile);
    }

    @Test
    void shouldSayWhenThePlanPinsNothing() throws Exception
    {
        final FakeHost host = new FakeHost(dir);
        host.write("sys/devices/system/cpu/online", "0").write("sys/devices/system/cpu/isolated", "");
        final CpuLayout layout = CpuLayout.read(host.root);
        final String profile = TuneProfile.render(layout, Placement.plan(layout, Map.of(), -1));
        assertTrue(profile.startsWith("# the plan pins no latency-critical thread"), profile);
        assertTrue(!profile.contains("isolcpus"), profile);
    }
}
