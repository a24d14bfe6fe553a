package io.portask.storage.writebehind;

import io.portask.protocol.Frame;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.MappedByteBuffer;

/**
 * What Dragonfly has confirmed of one partition, in a small memory-mapped file beside its journal:
 * <pre>
 *   0  nextOffset  int64  the first offset not yet confirmed
 *   8  lastBase    int64  base offset of the last confirmed batch (-1: none)
 *  16  lastCount   int32  its record count
 *  20  crc32c      int32  of bytes [0, 20)
 * </pre>
 * A store is a memory write, so it survives a broker crash; after a power loss it may be older than Dragonfly,
 * which the write-behind detects (the stream's last entry differs) and resolves. A missing or unsound file reads
 * as "unknown".
 * <p>
 * Threading: the write-behind agent only.
 */
final class Checkpoint implements AutoCloseable
{
    static final String FILE_NAME = "write-behind.checkpoint";
    private static final int LENGTH = 64;

    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private final boolean sound;

    private Checkpoint(final MappedByteBuffer mapped, final boolean existed)
    {
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
        this.sound = existed && buffer.getInt(20, Frame.BYTE_ORDER) == Frame.crc32c(buffer, 0, 20) &&
            buffer.getLong(0, Frame.BYTE_ORDER) >= 0;
    }

    static Checkpoint open(final File partitionDir)
    {
        final File file = new File(partitionDir, FILE_NAME);
        final boolean existed = file.isFile() && file.length() == LENGTH;
        final MappedByteBuffer mapped = existed ? IoUtil.mapExistingFile(file, FILE_NAME) :
            IoUtil.mapNewFile(file, LENGTH);
        return new Checkpoint(mapped, existed);
    }

    boolean isSound()
    {
        return sound;
    }

    long nextOffset()
    {
        return buffer.getLong(0, Frame.BYTE_ORDER);
    }

    /**
     * @return the stream id of the last confirmed entry, or "" when none.
     */
    String lastId()
    {
        final long lastBase = buffer.getLong(8, Frame.BYTE_ORDER);
        return lastBase < 0 ? "" : StreamIds.id(lastBase, buffer.getInt(16, Frame.BYTE_ORDER));
    }

    void store(final long nextOffset, final long lastBase, final int lastCount)
    {
        buffer.putLong(0, nextOffset, Frame.BYTE_ORDER);
        buffer.putLong(8, lastBase, Frame.BYTE_ORDER);
        buffer.putInt(16, lastCount, Frame.BYTE_ORDER);
        buffer.putIntRelease(20, Frame.crc32c(buffer, 0, 20));
    }

    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
