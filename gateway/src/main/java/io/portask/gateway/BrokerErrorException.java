package io.portask.gateway;

import io.portask.protocol.ErrorCode;

/**
 * The broker refused a request with a wire error code; the gateway answers with the matching HTTP status.
 */
final class BrokerErrorException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final transient ErrorCode code;

    BrokerErrorException(final int code, final String message)
    {
        super(message);
        this.code = ErrorCode.get(code);
    }

    ErrorCode code()
    {
        return code;
    }
}
