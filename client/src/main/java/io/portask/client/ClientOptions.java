package io.portask.client;

import io.portask.protocol.Frame;
import io.portask.protocol.auth.Scram;

import java.time.Duration;

/**
 * Connection settings shared by {@link Producer}, {@link Consumer} and {@link Admin}.
 *
 * @param host           broker host.
 * @param port           broker port.
 * @param requestTimeout how long a request waits for its answer.
 * @param maxFrameLength largest frame the broker accepts.
 * @param tls            TLS settings for the broker's TLS port, or null for plaintext.
 * @param credentials    how the connection authenticates, or null for not at all.
 * @param idle           how its threads wait ({@link ClientIdle}; BLOCKING by default).
 */
public record ClientOptions(
    String host, int port, Duration requestTimeout, int maxFrameLength, ClientTls tls, Credentials credentials,
    ClientIdle idle)
{
    /**
     * A null idle mode is the default, BLOCKING.
     */
    public ClientOptions
    {
        idle = null == idle ? ClientIdle.BLOCKING : idle;
    }

    /**
     * How a connection authenticates, first thing after it connects (and again after each reconnect).
     *
     * @param mechanism SCRAM-SHA-256 or TOKEN.
     * @param user      the user name (SCRAM), or null.
     * @param secret    the password (SCRAM) or the bearer token.
     */
    public record Credentials(String mechanism, String user, String secret)
    {
        /**
         * @return a compact form that never shows the secret.
         */
        public String toString()
        {
            return mechanism + (null == user ? "" : " " + user);
        }
    }

    /** The broker's default port. */
    public static final int DEFAULT_PORT = 7070;

    /**
     * Parse "host:port" (or "host", for the default port).
     *
     * @param bootstrap address of the broker.
     * @return options with default timeouts.
     */
    public static ClientOptions of(final String bootstrap)
    {
        final int colon = bootstrap.lastIndexOf(':');
        if (colon < 0)
        {
            return new ClientOptions(
                bootstrap, DEFAULT_PORT, Duration.ofSeconds(30), Frame.DEFAULT_MAX_FRAME_LENGTH, null, null,
                ClientIdle.BLOCKING);
        }
        final String host = bootstrap.substring(0, colon);
        final int port;
        try
        {
            port = Integer.parseInt(bootstrap.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("bootstrap must be host:port, got '" + bootstrap + "'");
        }
        return new ClientOptions(host, port, Duration.ofSeconds(30), Frame.DEFAULT_MAX_FRAME_LENGTH, null, null,
            ClientIdle.BLOCKING);
    }

    /**
     * @param timeout how long a request waits for its answer.
     * @return a copy with the new timeout.
     */
    public ClientOptions withRequestTimeout(final Duration timeout)
    {
        return new ClientOptions(host, port, timeout, maxFrameLength, tls, credentials, idle);
    }

    /**
     * @param settings TLS to the broker's TLS port (the bootstrap must name that port), or null for plaintext.
     * @return a copy with these TLS settings.
     */
    public ClientOptions withTls(final ClientTls settings)
    {
        return new ClientOptions(host, port, requestTimeout, maxFrameLength, settings, credentials, idle);
    }

    /**
     * @param user     a user the broker knows ({@code portask users add}).
     * @param password its password (stretched here, never sent: SCRAM-SHA-256).
     * @return a copy that authenticates as that user.
     */
    public ClientOptions withScram(final String user, final String password)
    {
        return new ClientOptions(host, port, requestTimeout, maxFrameLength, tls,
            new Credentials(Scram.MECHANISM, user, password), idle);
    }

    /**
     * @param token a bearer token ({@code portask tokens create}).
     * @return a copy that authenticates with it.
     */
    public ClientOptions withToken(final String token)
    {
        return new ClientOptions(host, port, requestTimeout, maxFrameLength, tls,
            new Credentials("TOKEN", null, token), idle);
    }

    /**
     * @param how how the client's threads wait for answers and socket bytes (see {@link ClientIdle}).
     * @return a copy that waits that way.
     */
    public ClientOptions withIdle(final ClientIdle how)
    {
        return new ClientOptions(host, port, requestTimeout, maxFrameLength, tls, credentials,
            java.util.Objects.requireNonNull(how, "idle"));
    }
}
