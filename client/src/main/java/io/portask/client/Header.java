package io.portask.client;

/**
 * A record header. Keys may repeat.
 *
 * @param key   header name.
 * @param value header value, may be null.
 */
public record Header(String key, byte[] value)
{
}
