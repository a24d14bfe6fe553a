package io.portask.tuning;

import net.openhft.affinity.Affinity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlacementTest
{
    @TempDir
    Path dir;

    @Test
    void shouldPutCriticalThreadsOnIsolatedWholeCoresOfTheNicsNode() throws Exception
    {
        final CpuLayout layout = CpuLayout.read(new FakeHost(dir).root);
        final Placement plan = Placement.plan(layout, Map.of(), 1);
        // node 1's isolated cpus 6 and 7 go to the core and the transport; the driver gets an isolated cpu of
        // node 0 (2 and 3 are both siblings of a taken cpu, so the lower one)
        assertEquals(6, plan.of(ThreadRole.CORE).cpu());
        assertEquals(7, plan.of(ThreadRole.TRANSPORT).cpu());
        assertEquals(2, plan.of(ThreadRole.DRIVER).cpu());
        assertEquals(0, plan.of(ThreadRole.DRIVER).node());
        // the write-behind needs no isolation: a housekeeping cpu of the NIC's node
        assertEquals(4, plan.of(ThreadRole.WRITE_BEHIND).cpu());
        assertTrue(plan.warnings().isEmpty(), plan.describe());
        assertArrayEquals(new int[]{2, 6, 7}, plan.pinnedCpus(true));
        final String table = plan.describe();
        assertTrue(table.contains("NIC node 1") && table.matches("(?s).*portask-core\\s+6\\s+1\\s+yes.*"), table);
    }

    @Test
    void shouldTakeNumbersAsGivenAndSayWhatCannotBeDone() throws Exception
    {
        final CpuLayout layout = CpuLayout.read(new FakeHost(dir).root);
        final Placement plan = Placement.plan(layout, Map.of(ThreadRole.CORE, "3", ThreadRole.TRANSPORT, "12",
            ThreadRole.DRIVER, "none", ThreadRole.WRITE_BEHIND, "3"), -1);
        assertEquals(3, plan.of(ThreadRole.CORE).cpu());
        assertEquals(-1, plan.of(ThreadRole.TRANSPORT).cpu());
        assertEquals(-1, plan.of(ThreadRole.DRIVER).cpu());
        assertEquals(3, plan.of(ThreadRole.WRITE_BEHIND).cpu());
        assertEquals(2, plan.warnings().size(), plan.describe());
        assertTrue(plan.warnings().get(0).contains("portask.cpu.transport=12: cpu 12 is not online"));
        assertTrue(plan.warnings().get(1).contains("cpu 3 is given to another thread too"));
        assertTrue(plan.describe().contains("NIC node unknown"));
    }

    @Test
    void shouldLeaveTheKernelACpuOnASmallUntunedHost() throws Exception
    {
        final FakeHost host = new FakeHost(dir);
        host.write("sys/devices/system/cpu/online", "0-1").write("sys/devices/system/cpu/isolated", "");
        final Placement plan = Placement.plan(CpuLayout.read(host.root), Map.of(), -1);
        assertEquals(1, plan.of(ThreadRole.CORE).cpu());
        assertEquals(-1, plan.of(ThreadRole.TRANSPORT).cpu());
        assertEquals(-1, plan.of(ThreadRole.DRIVER).cpu());
        assertEquals(-1, plan.of(ThreadRole.WRITE_BEHIND).cpu());
        assertTrue(plan.warnings().get(0).contains("portask-core pinned to cpu 1, which is not isolated"),
            plan.describe());
        assertTrue(plan.warnings().get(1).contains("portask-transport runs unpinned"), plan.describe());
    }

    @Test
    void shouldValidateConfigValues()
    {
        assertNull(Placement.validate("auto"));
        assertNull(Placement.validate("none"));
        assertNull(Placement.validate("3"));
        assertEquals("a cpu number, auto or none", Placement.validate("-1"));
        assertEquals("a cpu number, auto or none", Placement.validate("two"));
    }

    @Test
    void shouldPinAThreadToItsCpuOnThisHost() throws Exception
    {
        final BitSet allowed = Affinity.getAffinity();
        final int cpu = allowed.length() - 1;
        final CpuLayout layout = CpuLayout.read(Path.of("/"));
        final Placement plan = Placement.plan(layout, Map.of(ThreadRole.CORE, Integer.toString(cpu)), -1);
        final AtomicReference<BitSet> seen = new AtomicReference<>();
        final Thread thread = plan.threadFactory(ThreadRole.CORE).newThread(() -> seen.set(Affinity.getAffinity()));
        assertEquals("portask-core", thread.getName());
        thread.start();
        thread.join();
        final BitSet expected = new BitSet();
        expected.set(cpu);
        assertEquals(expected, seen.get());
        assertEquals(allowed, Affinity.getAffinity(), "the test's own thread is untouched");
    }
}
