package io.portask.protocol.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * The bearer tokens of {@code DATA/security/tokens}, as the broker and the gateway read them: each line the SHA-256
 * (hex) of a token, its principal and its expiry (epoch ms, 0 for never); the token itself is never stored. Reloaded
 * when the file changes, looked at no more than twice a second.
 * <p>
 * Threading: thread safe; a reload swaps an immutable map.
 */
public final class TokenFile
{
    private static final long CHECK_INTERVAL_NS = 500_000_000L;

    private final Path file;
    private volatile Map<String, String[]> entries = Map.of();
    private volatile long stamp = Long.MIN_VALUE;
    private volatile long nextCheckNs;

    /**
     * @param file the tokens file (it may not exist yet).
     */
    public TokenFile(final Path file)
    {
        this.file = file;
    }

    /**
     * @param token a bearer token as presented.
     * @param nowMs the time now, epoch ms.
     * @return its principal, or null when it is unknown or expired.
     */
    public String principalOf(final String token, final long nowMs)
    {
        reloadIfChanged();
        final String[] entry = entries.get(hash(token));
        if (null == entry)
        {
            return null;
        }
        final long expiresAtMs = Long.parseLong(entry[2]);
        return 0 != expiresAtMs && nowMs >= expiresAtMs ? null : entry[1];
    }

    /**
     * @return the SHA-256 of a token, in hex: what the file holds.
     */
    public static String hash(final String token)
    {
        return HexFormat.of().formatHex(Scram.hash(token.getBytes(StandardCharsets.UTF_8)));
    }

    private void reloadIfChanged()
    {
        final long nowNs = System.nanoTime();
        if (nowNs < nextCheckNs)
        {
            return;
        }
        nextCheckNs = nowNs + CHECK_INTERVAL_NS;
        try
        {
            final long now = Files.exists(file) ? Files.getLastModifiedTime(file).toMillis() ^ Files.size(file) : -1;
            if (now == stamp)
            {
                return;
            }
            final Map<String, String[]> read = new HashMap<>();
            if (Files.exists(file))
            {
                for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8))
                {
                    final String[] fields = line.trim().split(" ");
                    if (3 == fields.length && !line.startsWith("#"))
                    {
                        read.put(fields[0], fields);
                    }
                }
            }
            entries = Map.copyOf(read);
            stamp = now;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read tokens from " + file, ex);
        }
    }
}
