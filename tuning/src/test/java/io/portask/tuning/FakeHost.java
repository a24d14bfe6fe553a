package io.portask.tuning;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A made-up {@code /sys} and {@code /proc} tree: by default a tuned two-node host of 8 CPUs (node 0: 0-3, node 1:
 * 4-7; CPUs 2-3 and 6-7 isolated, nohz_full and rcu_nocbs; hyperthread pairs (0,4) (1,5) (2,6) (3,7)), eth0 on
 * node 1 with two IRQs on CPUs 0-1, every audit setting as the guides advise. Tests change single files.
 */
final class FakeHost
{
    final Path root;

    FakeHost(final Path root)
    {
        this.root = root;
        write("sys/devices/system/cpu/online", "0-7");
        write("sys/devices/system/cpu/isolated", "2-3,6-7");
        write("sys/devices/system/cpu/nohz_full", "2-3,6-7");
        for (int cpu = 0; cpu < 8; cpu++)
        {
            final String dir = "sys/devices/system/cpu/cpu" + cpu;
            write(dir + "/topology/core_id", Integer.toString(cpu % 4));
            write(dir + "/topology/physical_package_id", "0");
            write(dir + "/topology/thread_siblings_list", (cpu % 4) + "," + (cpu % 4 + 4));
            write(dir + "/cpufreq/scaling_governor", "performance");
            write(dir + "/cpuidle/state0/disable", "0");
            write(dir + "/cpuidle/state1/disable", "0");
            write(dir + "/cpuidle/state2/disable", "1");
        }
        write("sys/devices/system/node/node0/cpulist", "0-3");
        write("sys/devices/system/node/node1/cpulist", "4-7");
        write("sys/class/net/eth0/device/numa_node", "1");
        write("sys/devices/system/cpu/intel_pstate/no_turbo", "1");
        write("sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never");
        write("sys/devices/system/clocksource/clocksource0/current_clocksource", "tsc");
        write("proc/cmdline", "BOOT_IMAGE=/vmlinuz isolcpus=managed_irq,domain,2-3,6-7 nohz_full=2-3,6-7 " +
            "rcu_nocbs=2-3,6-7 intel_idle.max_cstate=1 quiet");
        write("proc/sys/vm/swappiness", "1");
        write("proc/sys/net/core/busy_poll", "50");
        write("proc/sys/net/core/busy_read", "50");
        write("proc/sys/net/core/rmem_max", "16777216");
        write("proc/sys/net/core/wmem_max", "16777216");
        write("proc/interrupts", """
                       CPU0       CPU1
              0:         22          0   IO-APIC    2-edge      timer
             40:      12345          0   PCI-MSI 524288-edge      eth0-TxRx-0
             41:          0      12345   PCI-MSI 524289-edge      eth0-TxRx-1
            NMI:          0          0   Non-maskable interrupts
            """);
        write("proc/irq/40/smp_affinity_list", "0");
        write("proc/irq/41/smp_affinity_list", "1");
        write("proc/1/comm", "systemd");
        write("proc/self/limits", """
            Limit                     Soft Limit           Hard Limit           Units
            Max open files            1048576              1048576              files
            Max locked memory         unlimited            unlimited            bytes
            """);
    }

    FakeHost write(final String file, final String text)
    {
        try
        {
            final Path path = root.resolve(file);
            Files.createDirectories(path.getParent());
            Files.writeString(path, text);
            return this;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    FakeHost delete(final String file)
    {
        try
        {
            Files.delete(root.resolve(file));
            return this;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
