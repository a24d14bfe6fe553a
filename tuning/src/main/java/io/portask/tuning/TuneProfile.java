package io.portask.tuning;

import java.util.Arrays;

/**
 * {@code portask tune profile}: the host settings for a placement, as files to drop in. The CPUs the plan gives
 * the latency-critical threads become the isolated ones (isolcpus, nohz_full, rcu_nocbs, banned to irqbalance);
 * the broker's unit may run on those and on every CPU that is not isolated (the JVM's other threads: GC, JIT,
 * Lettuce). Pure text; reads nothing.
 */
public final class TuneProfile
{
    private TuneProfile()
    {
    }

    /**
     * @param layout    the host's CPUs.
     * @param placement the plan on that host.
     * @return the systemd drop-in, the sysctl file, the kernel command line and the irqbalance setting.
     */
    public static String render(final CpuLayout layout, final Placement placement)
    {
        final int[] critical = placement.pinnedCpus(true);
        final int[] allowed = layout.cpus().stream().mapToInt(CpuLayout.Cpu::id)
            .filter(cpu -> !layout.cpu(cpu).isolated() || CpuList.contains(critical, cpu)).toArray();
        final String isolate = CpuList.format(critical);
        final StringBuilder text = new StringBuilder();
        if (0 == critical.length)
        {
            text.append("# the plan pins no latency-critical thread: set portask.threading.mode=DEDICATED and ")
                .append("portask.cpu.* (auto finds none to spare on this host)\n");
        }
        text.append("# /etc/systemd/system/portask-broker.service.d/tuning.conf (systemctl daemon-reload)\n")
            .append("[Service]\n")
            .append("CPUAffinity=").append(CpuList.format(allowed).replace(',', ' ')).append('\n')
            .append("LimitNOFILE=1048576\nLimitMEMLOCK=infinity\n")
            .append("Environment=\"PORTASK_JAVA_OPTS=-Xms8g -Xmx8g -XX:+AlwaysPreTouch\"\n\n");
        text.append("# /etc/sysctl.d/90-portask.conf (sysctl --system)\n")
            .append("vm.swappiness = 1\n")
            .append("net.core.busy_poll = 50\nnet.core.busy_read = 50\n")
            .append("net.core.rmem_max = 16777216\nnet.core.wmem_max = 16777216\n\n");
        if (critical.length > 0)
        {
            text.append("# kernel command line: add to GRUB_CMDLINE_LINUX in /etc/default/grub, update-grub, reboot\n")
                .append("isolcpus=managed_irq,domain,").append(isolate).append(" nohz_full=").append(isolate)
                .append(" rcu_nocbs=").append(isolate)
                .append(" intel_idle.max_cstate=1 processor.max_cstate=1 transparent_hugepage=madvise")
                .append(" clocksource=tsc tsc=reliable\n\n")
                .append("# /etc/default/irqbalance (systemctl restart irqbalance)\n")
                .append("IRQBALANCE_BANNED_CPULIST=").append(isolate).append("\n\n");
        }
        text.append("# the placement these are for\n");
        Arrays.stream(placement.describe().split("\n")).forEach(line -> text.append("# ").append(line).append('\n'));
        return text.toString();
    }
}
