package io.portask.tuning;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuLayoutTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReadCoresNodesSiblingsAndIsolation() throws Exception
    {
        final FakeHost host = new FakeHost(dir);
        final CpuLayout layout = CpuLayout.read(host.root);
        assertEquals(8, layout.cpus().size());
        final CpuLayout.Cpu six = layout.cpu(6);
        assertEquals(1, six.node());
        assertEquals(2, six.core());
        assertTrue(six.isolated() && six.nohzFull());
        assertArrayEquals(new int[]{2, 6}, six.siblings());
        assertFalse(layout.cpu(4).isolated());
        assertNull(layout.cpu(8));
        assertArrayEquals(new int[]{2, 3, 6, 7}, layout.isolated());
        assertEquals(1, CpuLayout.nicNode(host.root, "eth0"));
        assertEquals(-1, CpuLayout.nicNode(host.root, "lo"));
        assertEquals(-1, CpuLayout.nicNode(host.root, "../../etc"));
    }

    @Test
    void shouldGiveThePlainAnswerWhereTheKernelSaysNothing() throws Exception
    {
        final FakeHost host = new FakeHost(dir);
        host.write("sys/devices/system/cpu/online", "0-1").delete("sys/devices/system/cpu/isolated")
            .delete("sys/devices/system/node/node0/cpulist").delete("sys/devices/system/node/node1/cpulist")
            .delete("sys/devices/system/cpu/cpu1/topology/core_id")
            .delete("sys/devices/system/cpu/cpu1/topology/thread_siblings_list");
        final CpuLayout layout = CpuLayout.read(host.root);
        assertEquals(2, layout.cpus().size());
        assertEquals(0, layout.cpu(1).node());
        assertEquals(1, layout.cpu(1).core());
        assertArrayEquals(new int[]{1}, layout.cpu(1).siblings());
        assertArrayEquals(new int[0], layout.isolated());
    }

    @Test
    void shouldReadThisHost() throws Exception
    {
        final CpuLayout layout = CpuLayout.read(Path.of("/"));
        assertTrue(layout.cpus().size() >= 1);
        assertEquals(layout.cpus().size(), layout.cpus().stream().mapToInt(CpuLayout.Cpu::id).distinct().count());
        assertTrue(layout.cpus().stream().allMatch(cpu -> cpu.node() >= 0 && cpu.siblings().length >= 1));
    }
}
