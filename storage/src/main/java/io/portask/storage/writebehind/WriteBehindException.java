package io.portask.storage.writebehind;

/**
 * A failed write-behind request, as recorded in the error log.
 */
final class WriteBehindException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    WriteBehindException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
