package io.portask.gateway;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the served OpenAPI description true: it names exactly the routes the gateway serves, each with
 * documented responses.
 */
class OpenApiTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDescribeExactlyTheRoutesServed() throws Exception
    {
        final JsonObject document;
        try (InputStream in = Gateway.class.getResourceAsStream("/portask/openapi.json"))
        {
            document = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        final Set<String> described = new TreeSet<>();
        final JsonObject paths = document.getJsonObject("paths");
        for (final String path : paths.fieldNames())
        {
            for (final String method : paths.getJsonObject(path).fieldNames())
            {
                if (!"parameters".equals(method))
                {
                    described.add(method.toUpperCase(Locale.ROOT) + " " + path);
                    assertTrue(!paths.getJsonObject(path).getJsonObject(method).getJsonObject("responses").isEmpty(),
                        method + " " + path + " documents its responses");
                }
            }
        }
        try (Gateway gateway = Gateway.launch(new GatewayContext().port(0).aeronDir(dir.toString())))
        {
            assertEquals(described, new TreeSet<>(gateway.routes()));
        }
    }
}
