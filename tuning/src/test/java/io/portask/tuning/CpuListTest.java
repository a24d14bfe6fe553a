package io.portask.tuning;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuListTest
{
    @Test
    void shouldReadAndWriteTheKernelsCpuLists()
    {
        assertArrayEquals(new int[]{0, 1, 2, 3, 8, 10, 11}, CpuList.parse("0-3,8,10-11\n"));
        assertArrayEquals(new int[0], CpuList.parse(""));
        assertArrayEquals(new int[0], CpuList.parse("(null)"));
        assertArrayEquals(new int[]{5}, CpuList.parse("5,5"));
        assertEquals("0-3,8,10-11", CpuList.format(new int[]{11, 10, 8, 3, 2, 1, 0}));
        assertEquals("", CpuList.format(new int[0]));
    }

    @Test
    void shouldNameThePartThatIsNotACpu()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CpuList.parse("0-3,x")).getMessage()
            .contains("'x'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CpuList.parse("5-2")).getMessage()
            .contains("'5-2'"));
    }
}
