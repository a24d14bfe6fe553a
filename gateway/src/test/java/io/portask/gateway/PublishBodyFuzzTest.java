package io.portask.gateway;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import com.code_intelligence.jazzer.mutation.annotation.WithLength;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Fuzz targets for the HTTP and WebSocket body parsers: any text as a JSON body and any bytes as a CBOR body, read
 * as the gateway reads them and taken apart as a publish ({@link PublishRecord#of}). Bad input may be
 * refused only with IllegalArgumentException or Vert.x's DecodeException, both answered 400 with a JSON body
 * ({@link HttpError#of}); anything else would be a 500, and is a finding.
 */
class PublishBodyFuzzTest
{
    @FuzzTest(maxDuration = "60s")
    void jsonBody(final @NotNull String text)
    {
        try
        {
            takeApart(new JsonObject(text));
        }
        catch (final IllegalArgumentException | DecodeException refused)
        {
            assertEquals(400, HttpError.of(refused).status());
        }
    }

    @FuzzTest(maxDuration = "60s")
    void cborBody(final byte @NotNull @WithLength(max = 4096) [] bytes)
    {
        try
        {
            takeApart(Bodies.fromCbor(bytes));
        }
        catch (final IllegalArgumentException refused)
        {
            assertEquals(400, HttpError.of(refused).status());
        }
    }

    @Test
    void shouldRefuseFieldsOfTheWrongTypeAsBadRequests()
    {
        for (final String body : new String[]{"{\"value\": 12}", "{\"key\": true}", "{\"records\": 5}",
            "{\"records\": [1]}", "{\"headers\": []}", "{\"headers\": {\"h\": 1}}", "{\"partition\": \"x\"}",
            "{\"records\": []}"})
        {
            assertThrows(IllegalArgumentException.class, () -> takeApart(new JsonObject(body)), body);
        }
    }

    private static void takeApart(final JsonObject body)
    {
        for (final PublishRecord record : PublishRecord.of(body))
        {
            record.headers().size();
        }
    }
}
