package io.portask.tuning;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The host's CPUs as the kernel describes them under {@code /sys}: which are online, their physical core and
 * socket, their hyperthread siblings, their NUMA node, and which the kernel was told to keep for us ({@code
 * isolcpus}, {@code nohz_full}). Read from a root folder so tests can hand it a made-up tree; a file that is
 * missing (a VM without NUMA, a container) gives the plain answer (node 0, the CPU its own core), never an error.
 * <p>
 * Threading: immutable once read.
 */
public final class CpuLayout
{
    /**
     * One online CPU.
     *
     * @param id       its number.
     * @param core     its physical core ({@code topology/core_id}).
     * @param socket   its package ({@code topology/physical_package_id}).
     * @param node     its NUMA node.
     * @param isolated in {@code /sys/devices/system/cpu/isolated} (isolcpus): the scheduler puts nothing there.
     * @param nohzFull in {@code nohz_full}: no timer tick while one task runs.
     * @param siblings the CPUs sharing its physical core, itself included.
     */
    public record Cpu(int id, int core, int socket, int node, boolean isolated, boolean nohzFull, int[] siblings)
    {
    }

    private final List<Cpu> cpus;

    private CpuLayout(final List<Cpu> cpus)
    {
        this.cpus = List.copyOf(cpus);
    }

    /**
     * @param cpus CPUs, ascending.
     * @return a layout of just those (an empty one when a host's cannot be read).
     */
    public static CpuLayout of(final List<Cpu> cpus)
    {
        return new CpuLayout(cpus);
    }

    /**
     * @param root the file system root ("/" on a host).
     * @return the layout of the online CPUs.
     * @throws IOException when the CPU folder cannot be read at all.
     */
    public static CpuLayout read(final Path root) throws IOException
    {
        final Path cpuDir = root.resolve("sys/devices/system/cpu");
        final int[] online = CpuList.parse(text(cpuDir.resolve("online"), fallbackOnline()));
        final int[] isolated = CpuList.parse(text(cpuDir.resolve("isolated"), ""));
        final int[] nohzFull = CpuList.parse(text(cpuDir.resolve("nohz_full"), ""));
        final Map<Integer, Integer> nodes = nodes(root.resolve("sys/devices/system/node"));
        final List<Cpu> cpus = new ArrayList<>();
        for (final int id : online)
        {
            final Path topology = cpuDir.resolve("cpu" + id).resolve("topology");
            cpus.add(new Cpu(id, number(topology.resolve("core_id"), id),
                number(topology.resolve("physical_package_id"), 0), nodes.getOrDefault(id, 0),
                CpuList.contains(isolated, id), CpuList.contains(nohzFull, id),
                CpuList.parse(text(topology.resolve("thread_siblings_list"), Integer.toString(id)))));
        }
        return new CpuLayout(cpus);
    }

    /**
     * @param root      the file system root.
     * @param iface a network interface name, e.g. {@code eth0}.
     * @return the NUMA node of its device, or -1 when it has none (loopback, virtual, a single-node host) or the
     * name is unknown.
     */
    public static int nicNode(final Path root, final String iface)
    {
        if (null == iface || iface.isEmpty() || iface.contains("/"))
        {
            return -1;
        }
        try
        {
            return Integer.parseInt(text(root.resolve("sys/class/net").resolve(iface).resolve("device/numa_node"),
                "-1").strip());
        }
        catch (final IOException | NumberFormatException ex)
        {
            return -1;
        }
    }

    /**
     * @return the online CPUs, ascending.
     */
    public List<Cpu> cpus()
    {
        return cpus;
    }

    /**
     * @param id a CPU number.
     * @return that CPU, or null when it is not online here.
     */
    public Cpu cpu(final int id)
    {
        for (final Cpu cpu : cpus)
        {
            if (cpu.id() == id)
            {
                return cpu;
            }
        }
        return null;
    }

    /**
     * @return the isolated CPUs, ascending.
     */
    public int[] isolated()
    {
        return cpus.stream().filter(Cpu::isolated).mapToInt(Cpu::id).toArray();
    }

    private static Map<Integer, Integer> nodes(final Path nodeDir) throws IOException
    {
        final Map<Integer, Integer> byCpu = new HashMap<>();
        if (!Files.isDirectory(nodeDir))
        {
            return byCpu;
        }
        try (Stream<Path> entries = Files.list(nodeDir))
        {
            for (final Path node : entries.filter(p -> p.getFileName().toString().matches("node\\d+")).toList())
            {
                final int id = Integer.parseInt(node.getFileName().toString().substring(4));
                for (final int cpu : CpuList.parse(text(node.resolve("cpulist"), "")))
                {
                    byCpu.put(cpu, id);
                }
            }
        }
        return byCpu;
    }

    private static String fallbackOnline()
    {
        return "0-" + (Runtime.getRuntime().availableProcessors() - 1);
    }

    /**
     * Through a stream, not {@code Files.readString}: /proc reports a size of 0 and JDK 25's readString returned
     * "4" for the "4194304" of {@code /proc/sys/net/core/rmem_max}.
     */
    static String text(final Path file, final String missing) throws IOException
    {
        if (!Files.isReadable(file))
        {
            return missing;
        }
        try (InputStream in = Files.newInputStream(file))
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }

    private static int number(final Path file, final int missing) throws IOException
    {
        final String value = text(file, "");
        return value.isEmpty() ? missing : Integer.parseInt(value);
    }
}
