package io.portask.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;

/**
 * Folders only the broker's user may open.
 */
final class OwnerOnly
{
    private static final Logger LOG = LoggerFactory.getLogger(OwnerOnly.class);

    private OwnerOnly()
    {
    }

    /**
     * Make a folder the broker's user's alone (rwx------): the journals, offsets and credentials under the data
     * folder, and the Aeron directory whose IPC the gateway trusts. Without POSIX permissions (or the right to change
     * them) it says so and goes on.
     */
    static void apply(final File dir)
    {
        try
        {
            if (dir.toPath().getFileSystem().supportedFileAttributeViews().contains("posix"))
            {
                java.nio.file.Files.setPosixFilePermissions(dir.toPath(),
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            }
        }
        catch (final java.io.IOException | UnsupportedOperationException ex)
        {
            LOG.warn("cannot make {} owner-only ({}): protect it yourself", dir, ex.getMessage());
        }
    }
}
