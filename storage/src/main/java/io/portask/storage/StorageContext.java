package io.portask.storage;

import io.portask.protocol.Frame;

import java.io.File;

/**
 * Settings of the on-disk store. Fluent setters, validated by {@link #conclude()}.
 */
public final class StorageContext
{
    /** Default bytes per memory-tier segment. */
    public static final int DEFAULT_MEMORY_SEGMENT_BYTES = 4 * 1024 * 1024;
    /** Default most bytes a memory-only partition holds. */
    public static final long DEFAULT_MEMORY_PARTITION_BUDGET_BYTES = 64L * 1024 * 1024;

    private File dataDir;
    private int maxFrameLength = Frame.DEFAULT_MAX_FRAME_LENGTH;
    private int memorySegmentBytes = DEFAULT_MEMORY_SEGMENT_BYTES;
    private long memoryPartitionBudgetBytes = DEFAULT_MEMORY_PARTITION_BUDGET_BYTES;

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
        return this;
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
}
