package io.portask.tuning;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadFactory;

/**
 * Which CPU each broker thread runs on. Each {@link ThreadRole} asks for a CPU number, {@code auto} or {@code none}.
 * Numbers are taken as given when the CPU is online. {@code auto} fills the rest, most critical role first:
 * critical roles take isolated CPUs on the NIC's NUMA node, then isolated CPUs elsewhere, then (with a warning)
 * other CPUs; the write-behind takes a CPU that is not isolated, on the NIC's node first. Whole physical cores are
 * preferred (a CPU whose hyperthread sibling is taken comes last), CPU 0 (where the kernel's housekeeping runs) is
 * never chosen, and one CPU that is neither isolated nor pinned is always left for everything else: a role that
 * would take it runs unpinned. Nothing here fails: what cannot be done is a warning, and the thread runs unpinned.
 * <p>
 * Threading: immutable once planned; {@link #threadFactory} makes threads that pin themselves when they start.
 */
public final class Placement
{
    /** The config value that lets placement choose. */
    public static final String AUTO = "auto";
    /** The config value that leaves a thread unpinned. */
    public static final String NONE = "none";

    /**
     * Where one thread goes.
     *
     * @param role     the thread.
     * @param cpu      its CPU, or -1 for unpinned.
     * @param node     that CPU's NUMA node, -1 when unpinned.
     * @param isolated whether that CPU is isolated.
     * @param why      how it was chosen, or why it was not pinned.
     */
    public record Assignment(ThreadRole role, int cpu, int node, boolean isolated, String why)
    {
    }

    private final Map<ThreadRole, Assignment> assignments;
    private final List<String> warnings;
    private final int nicNode;

    private Placement(final Map<ThreadRole, Assignment> assignments, final List<String> warnings, final int nicNode)
    {
        this.assignments = assignments;
        this.warnings = List.copyOf(warnings);
        this.nicNode = nicNode;
    }

    /**
     * @param layout   the host's CPUs.
     * @param requests each role's config value (a missing role is {@code auto}); values were checked by
     *                 {@link #validate(String)}.
     * @param nicNode  the NUMA node of the NIC the broker listens on, -1 when unknown.
     * @return the plan.
     */
    public static Placement plan(final CpuLayout layout, final Map<ThreadRole, String> requests, final int nicNode)
    {
        final Map<ThreadRole, Assignment> assignments = new EnumMap<>(ThreadRole.class);
        final List<String> warnings = new ArrayList<>();
        final Set<Integer> taken = new HashSet<>();
        for (final ThreadRole role : ThreadRole.values())
        {
            final String value = requests.getOrDefault(role, AUTO);
            if (NONE.equals(value))
            {
                assignments.put(role, new Assignment(role, -1, -1, false, "unpinned (" + role.key() + "=none)"));
            }
            else if (!AUTO.equals(value))
            {
                final int id = Integer.parseInt(value);
                final CpuLayout.Cpu cpu = layout.cpu(id);
                if (null == cpu)
                {
                    warnings.add(role.key() + "=" + id + ": cpu " + id + " is not online on this host; " +
                        role.threadName() + " runs unpinned");
                    assignments.put(role, new Assignment(role, -1, -1, false, "unpinned: cpu " + id + " missing"));
                }
                else
                {
                    if (!taken.add(id))
                    {
                        warnings.add(role.key() + "=" + id + ": cpu " + id + " is given to another thread too");
                    }
                    assignments.put(role, new Assignment(role, id, cpu.node(), cpu.isolated(), role.key()));
                }
            }
        }
        for (final ThreadRole role : ThreadRole.values())
        {
            if (!assignments.containsKey(role))
            {
                assignments.put(role, choose(layout, role, nicNode, taken, warnings));
            }
        }
        return new Placement(assignments, warnings, nicNode);
    }

    /**
     * @param value a placement config value.
     * @return null when it is {@code auto}, {@code none} or a CPU number; else what is wrong with it.
     */
    public static String validate(final String value)
    {
        if (AUTO.equals(value) || NONE.equals(value))
        {
            return null;
        }
        try
        {
            return Integer.parseInt(value) >= 0 ? null : "a cpu number, auto or none";
        }
        catch (final NumberFormatException ex)
        {
            return "a cpu number, auto or none";
        }
    }

    private static Assignment choose(final CpuLayout layout, final ThreadRole role, final int nicNode,
        final Set<Integer> taken, final List<String> warnings)
    {
        final Set<Integer> takenCores = new HashSet<>();
        for (final int id : taken)
        {
            final CpuLayout.Cpu cpu = layout.cpu(id);
            for (final int sibling : null == cpu ? new int[]{id} : cpu.siblings())
            {
                takenCores.add(sibling);
            }
        }
        final long spare = layout.cpus().stream().filter(cpu -> !cpu.isolated() && !taken.contains(cpu.id())).count();
        final CpuLayout.Cpu best = layout.cpus().stream()
            .filter(cpu -> cpu.id() != 0 && !taken.contains(cpu.id()))
            .filter(cpu -> cpu.isolated() || spare > 1)
            .filter(cpu -> role.critical() || !cpu.isolated())
            .min(Comparator.comparingInt((CpuLayout.Cpu cpu) -> role.critical() && !cpu.isolated() ? 1 : 0)
                .thenComparingInt(cpu -> nicNode >= 0 && cpu.node() != nicNode ? 1 : 0)
                .thenComparingInt(cpu -> takenCores.contains(cpu.id()) ? 1 : 0)
                .thenComparingInt(CpuLayout.Cpu::id))
            .orElse(null);
        if (null == best)
        {
            warnings.add(role.threadName() + " runs unpinned: no cpu left to give it (cpu 0 and one more stay " +
                "for the kernel and the JVM's other threads)");
            return new Assignment(role, -1, -1, false, "unpinned: no cpu left");
        }
        taken.add(best.id());
        if (role.critical() && !best.isolated())
        {
            warnings.add(role.threadName() + " pinned to cpu " + best.id() + ", which is not isolated: the " +
                "scheduler runs other work there (isolcpus, see portask tune check)");
        }
        final String where = nicNode < 0 ? "" : best.node() == nicNode ? ", on the NIC's node" : ", off the NIC's node";
        return new Assignment(role, best.id(), best.node(), best.isolated(),
            "auto: " + (best.isolated() ? "isolated" : "not isolated") + where);
    }

    /**
     * @param role a thread.
     * @return where it goes.
     */
    public Assignment of(final ThreadRole role)
    {
        return assignments.get(role);
    }

    /**
     * @return what could not be done as asked, one line each.
     */
    public List<String> warnings()
    {
        return warnings;
    }

    /**
     * @param critical true for the latency-critical threads only.
     * @return the CPUs threads are pinned to.
     */
    public int[] pinnedCpus(final boolean critical)
    {
        return assignments.values().stream().filter(a -> a.cpu() >= 0 && (!critical || a.role().critical()))
            .mapToInt(Assignment::cpu).distinct().sorted().toArray();
    }

    /**
     * @param role a thread.
     * @return a factory for threads that pin themselves where the plan puts the role (named after it).
     */
    public ThreadFactory threadFactory(final ThreadRole role)
    {
        return new PlacedThreadFactory(assignments.get(role));
    }

    /**
     * @return the plan as a table: thread, cpu, node, isolated, how chosen; then the warnings.
     */
    public String describe()
    {
        final StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
            "thread placement (NIC node %s):%n", nicNode < 0 ? "unknown" : Integer.toString(nicNode)));
        text.append(String.format(Locale.ROOT, "  %-22s %-5s %-5s %-9s %s%n", "thread", "cpu", "node", "isolated",
            "how"));
        for (final Assignment a : assignments.values())
        {
            text.append(String.format(Locale.ROOT, "  %-22s %-5s %-5s %-9s %s%n", a.role().threadName(),
                a.cpu() < 0 ? "-" : Integer.toString(a.cpu()), a.node() < 0 ? "-" : Integer.toString(a.node()),
                a.cpu() < 0 ? "-" : a.isolated() ? "yes" : "no", a.why()));
        }
        warnings.forEach(warning -> text.append("  warning: ").append(warning).append(System.lineSeparator()));
        return text.toString();
    }
}
