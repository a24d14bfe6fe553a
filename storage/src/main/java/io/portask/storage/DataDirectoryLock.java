package io.portask.storage;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a data folder ({@code DATA/portask.lock}), held by a running broker and by offline tools
 * such as restore, so that two never write the same journals. The operating system drops it when the process
 * dies, so a crash never leaves a stale lock.
 */
public final class DataDirectoryLock implements AutoCloseable
{
    /** The lock file's name in the data folder. */
    public static final String FILE_NAME = "portask.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(final FileChannel channel, final FileLock lock)
    {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @param dataDir the data folder; created when missing.
     * @param holder  who takes it, written into the file for whoever finds it locked.
     * @return the lock.
     * @throws IllegalStateException when another process holds it.
     */
    public static DataDirectoryLock acquire(final File dataDir, final String holder)
    {
        if (!dataDir.isDirectory() && !dataDir.mkdirs())
        {
            throw new IllegalStateException("cannot create data folder " + dataDir.getAbsolutePath());
        }
        final File file = new File(dataDir, FILE_NAME);
        try
        {
            final FileChannel channel = FileChannel.open(
                file.toPath(), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            final FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                channel.close();
                throw held(dataDir, file);
            }
            if (null == lock)
            {
                channel.close();
                throw held(dataDir, file);
            }
            channel.truncate(0);
            channel.write(java.nio.ByteBuffer.wrap((holder + " pid " + ProcessHandle.current().pid() + "\n")
                .getBytes(StandardCharsets.UTF_8)));
            return new DataDirectoryLock(channel, lock);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot lock data folder " + dataDir.getAbsolutePath(), ex);
        }
    }

    private static IllegalStateException held(final File dataDir, final File file)
    {
        String holder = "another process";
        try
        {
            holder = java.nio.file.Files.readString(file.toPath()).trim();
        }
        catch (final IOException ignore)
        {
            // keep the generic description
        }
        return new IllegalStateException("data folder " + dataDir.getAbsolutePath() + " is in use by " + holder +
            "; stop it first");
    }

    /**
     * Release the lock.
     */
    public void close()
    {
        try
        {
            lock.release();
            channel.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
