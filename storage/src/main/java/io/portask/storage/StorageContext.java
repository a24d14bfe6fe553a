package io.portask.storage;

import io.portask.protocol.CounterFactory;
import io.portask.protocol.Frame;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;

import java.io.File;
import java.nio.ByteBuffer;

/**
 * Settings of the on-disk store. Fluent setters, validated by {@link #conclude()}.
 */
public final class StorageContext
{
    /** Default bytes per memory-tier segment. */
    public static final int DEFAULT_MEMORY_SEGMENT_BYTES = 4 * 1024 * 1024;
    /** Default most bytes a memory-only partition holds. */
    public static final long DEFAULT_MEMORY_PARTITION_BUDGET_BYTES = 64L * 1024 * 1024;
    /** Default most bytes the memory tier keeps of one journal partition; 0 turns the tier off. */
    public static final long DEFAULT_TIER_PARTITION_BYTES = 16L * 1024 * 1024;
    /** Default most bytes of all in-memory partition data together. */
    public static final long DEFAULT_MEMORY_TOTAL_BYTES = 1024L * 1024 * 1024;

    private File dataDir;
    private int maxFrameLength = Frame.DEFAULT_MAX_FRAME_LENGTH;
    private int memorySegmentBytes = DEFAULT_MEMORY_SEGMENT_BYTES;
    private long memoryPartitionBudgetBytes = DEFAULT_MEMORY_PARTITION_BUDGET_BYTES;
    private long tierPartitionBytes = DEFAULT_TIER_PARTITION_BYTES;
    private long memoryTotalBytes = DEFAULT_MEMORY_TOTAL_BYTES;
    private CounterFactory counterFactory;
    private ErrorHandler errorHandler;
    private DragonflyHandoff dragonflyHandoff;
    private RollCycle journalRollCycle = RollCycles.FAST_DAILY;

    /**
     * Validate the settings.
     *
     * @return this for a fluent API.
     */
    public StorageContext conclude()
    {
        if (null == dataDir)
        {
            throw new IllegalStateException("StorageContext.dataDir is not set");
        }
        if (memorySegmentBytes < Frame.maxBatchLength(maxFrameLength))
        {
            throw new IllegalStateException("memory segment of " + memorySegmentBytes +
                " bytes must hold the largest batch, " + Frame.maxBatchLength(maxFrameLength));
        }
        if (memoryPartitionBudgetBytes < 2L * memorySegmentBytes)
        {
            throw new IllegalStateException("memory partition budget " + memoryPartitionBudgetBytes +
                " must be at least two segments of " + memorySegmentBytes);
        }
        if (tierPartitionBytes != 0 && tierPartitionBytes < 2L * memorySegmentBytes)
        {
            throw new IllegalStateException("memory tier per partition " + tierPartitionBytes +
                " must be 0 (off) or at least two segments of " + memorySegmentBytes);
        }
        if (memoryTotalBytes < memorySegmentBytes)
        {
            throw new IllegalStateException("memory total " + memoryTotalBytes + " must hold a segment of " +
                memorySegmentBytes);
        }
        if (null == counterFactory)
        {
            final CountersManager local = new CountersManager(
                new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)),
                new UnsafeBuffer(ByteBuffer.allocateDirect(8192)));
            counterFactory = CounterFactory.of(local);
        }
        if (null == errorHandler)
        {
            errorHandler = StorageContext::ignore;
        }
        return this;
    }

    private static void ignore(final Throwable error)
    {
        // no error log attached (tests, tools): the caller has logged what matters
    }

    /**
     * @param dir folder holding topics and offsets.
     * @return this for a fluent API.
     */
    public StorageContext dataDir(final File dir)
    {
        this.dataDir = dir;
        return this;
    }

    /**
     * @return folder holding topics and offsets.
     */
    public File dataDir()
    {
        return dataDir;
    }

    /**
     * @param length largest frame length; bounds batch size.
     * @return this for a fluent API.
     */
    public StorageContext maxFrameLength(final int length)
    {
        this.maxFrameLength = length;
        return this;
    }

    /**
     * @return largest frame length.
     */
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    /**
     * @param bytes most bytes the memory tier keeps of one journal partition; 0 for no tier.
     * @return this for a fluent API.
     */
    public StorageContext tierPartitionBytes(final long bytes)
    {
        this.tierPartitionBytes = bytes;
        return this;
    }

    /**
     * @return most bytes the memory tier keeps of one journal partition.
     */
    public long tierPartitionBytes()
    {
        return tierPartitionBytes;
    }

    /**
     * @param bytes most bytes of all in-memory partition data together.
     * @return this for a fluent API.
     */
    public StorageContext memoryTotalBytes(final long bytes)
    {
        this.memoryTotalBytes = bytes;
        return this;
    }

    /**
     * @return most bytes of all in-memory partition data together.
     */
    public long memoryTotalBytes()
    {
        return memoryTotalBytes;
    }

    /**
     * @param factory allocates the storage counters; when unset, counters are kept privately.
     * @return this for a fluent API.
     */
    public StorageContext counterFactory(final CounterFactory factory)
    {
        this.counterFactory = factory;
        return this;
    }

    /**
     * @return allocates the storage counters.
     */
    public CounterFactory counterFactory()
    {
        return counterFactory;
    }

    /**
     * @param handler records storage faults (a journal cut at open) in the broker's distinct error log.
     * @return this for a fluent API.
     */
    public StorageContext errorHandler(final ErrorHandler handler)
    {
        this.errorHandler = handler;
        return this;
    }

    /**
     * @return records storage faults.
     */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * @param handoff where Dragonfly-only partitions hand batches to the write-behind agent; null when no Dragonfly
     *                is configured (such topics are then refused).
     * @return this for a fluent API.
     */
    public StorageContext dragonflyHandoff(final DragonflyHandoff handoff)
    {
        this.dragonflyHandoff = handoff;
        return this;
    }

    /**
     * @return the Dragonfly handoff, or null.
     */
    public DragonflyHandoff dragonflyHandoff()
    {
        return dragonflyHandoff;
    }

    /**
     * @param bytes per memory segment.
     * @return this for a fluent API.
     */
    public StorageContext memorySegmentBytes(final int bytes)
    {
        this.memorySegmentBytes = bytes;
        return this;
    }

    /**
     * @return bytes per memory segment.
     */
    public int memorySegmentBytes()
    {
        return memorySegmentBytes;
    }

    /**
     * @param bytes most bytes a memory-only partition holds.
     * @return this for a fluent API.
     */
    public StorageContext memoryPartitionBudgetBytes(final long bytes)
    {
        this.memoryPartitionBudgetBytes = bytes;
        return this;
    }

    /**
     * @return most bytes a memory-only partition holds.
     */
    public long memoryPartitionBudgetBytes()
    {
        return memoryPartitionBudgetBytes;
    }

    /**
     * @param rollCycle how often a journal partition starts a new file: the unit retention deletes.
     * @return this for a fluent API.
     */
    public StorageContext journalRollCycle(final RollCycle rollCycle)
    {
        this.journalRollCycle = rollCycle;
        return this;
    }

    /**
     * @return how often a journal partition starts a new file.
     */
    public RollCycle journalRollCycle()
    {
        return journalRollCycle;
    }
}
