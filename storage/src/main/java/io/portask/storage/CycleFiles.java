package io.portask.storage;

import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.io.File;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The file of a Chronicle Queue roll cycle, named as Chronicle names it (its roll cycle's date format, in UTC,
 * of the cycle's start), for the code that deletes whole cycles: journal retention and offsets compaction.
 */
final class CycleFiles
{
    private CycleFiles()
    {
    }

    /**
     * @param queue     the queue.
     * @param directory its folder.
     * @param cycle     a cycle number.
     * @return that cycle's file (which may not exist).
     */
    static File of(final SingleChronicleQueue queue, final File directory, final int cycle)
    {
        final RollCycle rollCycle = queue.rollCycle();
        final String stem = DateTimeFormatter.ofPattern(rollCycle.format()).withZone(ZoneOffset.UTC)
            .format(Instant.ofEpochMilli(queue.epoch() + (long)cycle * rollCycle.lengthInMillis()));
        return new File(directory, stem + SingleChronicleQueue.SUFFIX);
    }
}
