package io.portask.gateway;

import io.portask.protocol.BatchCompression;
import io.portask.protocol.ErrorCode;
import io.vertx.core.json.JsonObject;

/**
 * A failed HTTP request: its status and JSON body {@code {"error": NAME, "code": N, "message": TEXT}}, where the
 * code is the wire error code (0 for errors of the gateway's own, such as a malformed body).
 *
 * @param status  HTTP status.
 * @param error   error name.
 * @param code    wire error code.
 * @param message what went wrong.
 */
record HttpError(int status, String error, int code, String message)
{
    static HttpError badRequest(final String message)
    {
        return new HttpError(400, ErrorCode.INVALID_REQUEST.name(), ErrorCode.INVALID_REQUEST.code(), message);
    }

    static HttpError of(final Throwable failure)
    {
        final Throwable cause = failure instanceof java.util.concurrent.CompletionException && null !=
            failure.getCause() ? failure.getCause() : failure;
        if (cause instanceof BrokerErrorException broker)
        {
            return new HttpError(status(broker.code()), broker.code().name(), broker.code().code(), cause.getMessage());
        }
        if (cause instanceof BatchCompression.CorruptBatchException)
        {
            return new HttpError(502, ErrorCode.CORRUPT_MESSAGE.name(), ErrorCode.CORRUPT_MESSAGE.code(),
                "a stored batch cannot be read: " + cause.getMessage());
        }
        if (cause instanceof BrokerUnavailableException)
        {
            return new HttpError(503, "BROKER_UNAVAILABLE", ErrorCode.NETWORK_ERROR.code(), cause.getMessage());
        }
        if (cause instanceof java.util.concurrent.TimeoutException)
        {
            return new HttpError(504, ErrorCode.REQUEST_TIMEOUT.name(), ErrorCode.REQUEST_TIMEOUT.code(),
                "the broker did not answer in time");
        }
        if (cause instanceof IllegalArgumentException || cause instanceof io.vertx.core.json.DecodeException)
        {
            return badRequest(cause.getMessage());
        }
        if (cause instanceof ClassCastException)
        {
            // a body field of another JSON type than the route reads (a number where a string goes, ...)
            return badRequest("a field of the body has the wrong type: " + cause.getMessage());
        }
        return new HttpError(500, "INTERNAL", 0, String.valueOf(cause.getMessage()));
    }

    private static int status(final ErrorCode code)
    {
        return switch (code)
        {
            case UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_SUBSCRIPTION -> 404;
            case TOPIC_ALREADY_EXISTS -> 409;
            case OFFSET_OUT_OF_RANGE -> 416;
            case MESSAGE_TOO_LARGE -> 413;
            case NOT_AUTHORIZED -> 403;
            case THROTTLED -> 429;
            case REQUEST_TIMEOUT -> 504;
            case STORAGE_ERROR, NETWORK_ERROR, BROKER_STOPPING, NOT_LEADER -> 503;
            default -> 400;
        };
    }

    JsonObject toJson()
    {
        return new JsonObject().put("error", error).put("code", code).put("message", message);
    }
}
