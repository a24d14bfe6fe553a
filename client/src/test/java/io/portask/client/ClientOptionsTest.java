package io.portask.client;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClientOptionsTest
{
    @Test
    void shouldParseBootstrapWithAndWithoutPort()
    {
        assertEquals(7171, ClientOptions.of("broker-1:7171").port());
        assertEquals("broker-1", ClientOptions.of("broker-1:7171").host());
        assertEquals(ClientOptions.DEFAULT_PORT, ClientOptions.of("localhost").port());
        assertThrows(IllegalArgumentException.class, () -> ClientOptions.of("localhost:http"));
    }

    @Test
    void shouldPartitionKeysByDocumentedCrc32cRule()
    {
        for (final String key : new String[]{ "a", "customer-42", "ünïcode", "" })
        {
            final byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            final CRC32C crc = new CRC32C();
            crc.update(bytes);
            final int expected = (int)((crc.getValue() & 0x7fffffff) % 12);
            assertEquals(expected, Producer.partitionFor(bytes, 12), key);
        }
    }

    @Test
    void shouldBlockByDefaultAndKeepTheIdleModeThroughCopies()
    {
        assertEquals(ClientIdle.BLOCKING, ClientOptions.of("localhost:7070").idle());
        assertEquals(ClientIdle.BLOCKING, new ClientOptions("h", 1, java.time.Duration.ofSeconds(1), 4096, null, null,
            null).idle());
        final ClientOptions spinning = ClientOptions.of("localhost:7070").withIdle(ClientIdle.BUSY_SPIN);
        assertEquals(ClientIdle.BUSY_SPIN, spinning.withRequestTimeout(java.time.Duration.ofSeconds(2)).idle());
        assertEquals(ClientIdle.BUSY_SPIN, spinning.withToken("t").idle());
        assertThrows(NullPointerException.class, () -> spinning.withIdle(null));
    }
}
