package io.portask.client;

import io.portask.protocol.ErrorCode;

/**
 * A request failed. Carries the wire error code, so callers can tell a retriable condition from a final one.
 */
public class PortaskException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final transient ErrorCode code;

    /**
     * @param code    the wire error code.
     * @param message what the broker or client said.
     */
    public PortaskException(final ErrorCode code, final String message)
    {
        super(code.name() + " (" + code.code() + "): " + message);
        this.code = code;
    }

    /**
     * @param code    the wire error code.
     * @param message what failed.
     * @param cause   the underlying failure.
     */
    public PortaskException(final ErrorCode code, final String message, final Throwable cause)
    {
        super(code.name() + " (" + code.code() + "): " + message, cause);
        this.code = code;
    }

    /**
     * The PortaskException behind a failed future: unwraps CompletionException and ExecutionException, maps a
     * timeout to REQUEST_TIMEOUT and anything else to NETWORK_ERROR.
     *
     * @param error what a future failed with.
     * @return the exception to throw or report.
     */
    public static PortaskException from(final Throwable error)
    {
        Throwable cause = error;
        while ((cause instanceof java.util.concurrent.CompletionException ||
            cause instanceof java.util.concurrent.ExecutionException) && null != cause.getCause())
        {
            cause = cause.getCause();
        }
        if (cause instanceof PortaskException portask)
        {
            return portask;
        }
        if (cause instanceof java.util.concurrent.TimeoutException)
        {
            return new PortaskException(ErrorCode.REQUEST_TIMEOUT, "no response in time", cause);
        }
        return new PortaskException(ErrorCode.NETWORK_ERROR, String.valueOf(cause.getMessage()), cause);
    }

    /**
     * @return the wire error code.
     */
    public ErrorCode code()
    {
        return code;
    }

    /**
     * @return true when the same request may succeed if retried after a backoff.
     */
    public boolean isRetriable()
    {
        return code.retriable();
    }
}
