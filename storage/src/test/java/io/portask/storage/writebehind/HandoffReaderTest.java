package io.portask.storage.writebehind;

import io.portask.storage.DragonflyHandoff;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * When the write-behind wakes the core: only for work the core may be waiting for.
 */
class HandoffReaderTest
{
    private final DragonflyHandoff handoff = new DragonflyHandoff(64 * 1024);
    private final HandoffReader reader = new HandoffReader(handoff);
    private final AtomicInteger wakes = new AtomicInteger();

    @Test
    void shouldWakeTheCoreOnlyForWorkItMayWaitFor()
    {
        handoff.coreWaker(wakes::incrementAndGet);

        assertEquals(5, reader.wakeCoreAfter(5, 0));
        assertEquals(0, wakes.get(), "journal partitions written behind: the core waits for none of it");

        reader.wakeCoreAfter(2, 1);
        assertEquals(1, wakes.get(), "older records read back for a fetch");

        reader.add(handoff.nextHandle(), new QueueSource(null)); // a Dragonfly-only partition opened
        reader.wakeCoreAfter(0, 0);
        assertEquals(1, wakes.get(), "no work, no wake");
        reader.wakeCoreAfter(1, 0);
        assertEquals(2, wakes.get(), "Dragonfly-only produces are acknowledged on what the write-behind does");
    }
}
