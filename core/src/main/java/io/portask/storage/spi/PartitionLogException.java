package io.portask.storage.spi;

/**
 * A storage fault in a {@link PartitionLog}: the operation had no effect on the log.
 */
public final class PartitionLogException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, naming the partition.
     * @param cause   the underlying fault.
     */
    public PartitionLogException(final String message, final Throwable cause)
    {
        super(message, cause);
    }

    /**
     * @param message what failed, naming the partition.
     */
    public PartitionLogException(final String message)
    {
        super(message);
    }
}
