package io.portask.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.util.Map;

/**
 * Request and response bodies as JSON or CBOR: a request body in {@code application/cbor} is read as CBOR, and a
 * response is written as CBOR when the request's Accept header asks for {@code application/cbor}; JSON otherwise.
 * The document is the same either way.
 * <p>
 * Threading: stateless; the mappers are thread safe.
 */
final class Bodies
{
    static final String CBOR = "application/cbor";
    static final String JSON = "application/json";

    private static final ObjectMapper JSON_MAPPER = new ObjectMapper();
    private static final CBORMapper CBOR_MAPPER = new CBORMapper();

    private Bodies()
    {
    }

    /**
     * @param rc the request.
     * @return its body as a JSON object.
     * @throws IllegalArgumentException when there is none or it does not parse.
     */
    static JsonObject read(final RoutingContext rc)
    {
        if (null == rc.body() || null == rc.body().buffer() || 0 == rc.body().length())
        {
            throw new IllegalArgumentException("a JSON (or CBOR) body is required");
        }
        final String type = rc.request().getHeader("content-type");
        try
        {
            if (null != type && type.startsWith(CBOR))
            {
                return fromCbor(rc.body().buffer().getBytes());
            }
            return rc.body().asJsonObject();
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException("the body is not a valid " + (null != type && type.startsWith(CBOR) ?
                "CBOR" : "JSON") + " object: " + ex.getMessage());
        }
    }

    /**
     * @param bytes a CBOR-encoded map.
     * @return it as a JSON object.
     * @throws IllegalArgumentException when it is not a CBOR map.
     */
    @SuppressWarnings("unchecked")
    static JsonObject fromCbor(final byte[] bytes)
    {
        try
        {
            return new JsonObject(CBOR_MAPPER.readValue(bytes, Map.class));
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new IllegalArgumentException("not a CBOR map: " + ex.getMessage());
        }
    }

    /**
     * @param json a JSON object.
     * @return it encoded as CBOR.
     */
    static byte[] toCbor(final JsonObject json)
    {
        try
        {
            return CBOR_MAPPER.writeValueAsBytes(JSON_MAPPER.readTree(json.encode()));
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot encode CBOR", ex);
        }
    }

    /**
     * Write a JSON document as JSON or CBOR, as the client asked.
     *
     * @param rc     the request.
     * @param status HTTP status.
     * @param body   a JsonObject or JsonArray.
     */
    static void write(final RoutingContext rc, final int status, final Object body)
    {
        final String json = body instanceof JsonObject object ? object.encode() : body.toString();
        final String accept = rc.request().getHeader("accept");
        if (null != accept && accept.contains(CBOR) && body instanceof JsonObject object)
        {
            rc.response().setStatusCode(status).putHeader("content-type", CBOR).end(Buffer.buffer(toCbor(object)));
            return;
        }
        rc.response().setStatusCode(status).putHeader("content-type", JSON).end(json);
    }
}
