package io.portask.gateway;

/**
 * The broker cannot be reached over IPC now: not started, restarting, or not answering heartbeats. Answered 503.
 */
final class BrokerUnavailableException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    BrokerUnavailableException(final String message)
    {
        super(message);
    }
}
