package io.portask.client;

import io.portask.protocol.Frame;
import io.portask.protocol.auth.Scram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;

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
 * @param others         the other brokers of a cluster, host:port each (tried when the first cannot be reached;
 *                       a NOT_LEADER answer names the one to use), or empty.
 * @param threads        makes the client's I/O threads (a connection's reader, a producer's sender), e.g. to pin
 *                       them to a CPU; the client names them and makes them daemons. Null for plain threads.
 */
public record ClientOptions(
    String host, int port, Duration requestTimeout, int maxFrameLength, ClientTls tls, Credentials credentials,
    ClientIdle idle, List<String> others, ThreadFactory threads)
{
    private static final ThreadFactory PLAIN_THREADS = Thread::new;

    /**
     * A null idle mode is the default, BLOCKING; null threads are plain ones.
     */
    public ClientOptions
    {
        idle = null == idle ? ClientIdle.BLOCKING : idle;
        others = null == others ? List.of() : List.copyOf(others);
        threads = null == threads ? PLAIN_THREADS : threads;
    }

    /**
     * Plain threads.
     */
    public ClientOptions(
        final String host, final int port, final Duration requestTimeout, final int maxFrameLength,
        final ClientTls tls, final Credentials credentials, final ClientIdle idle, final List<String> others)
    {
        this(host, port, requestTimeout, maxFrameLength, tls, credentials, idle, others, null);
    }

    /**
     * One broker, no others.
     */
    public ClientOptions(
        final String host, final int port, final Duration requestTimeout, final int maxFrameLength,
        final ClientTls tls, final Credentials credentials, final ClientIdle idle)
    {
        this(host, port, requestTimeout, maxFrameLength, tls, credentials, idle, List.of(), null);
    }

    /**
     * @return every broker address, host:port, the first one first.
     */
    public List<String> addresses()
    {
        final List<String> all = new ArrayList<>();
        all.add(host + ":" + port);
        all.addAll(others);
        return all;
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
     * Parse "host:port" (or "host", for the default port), or a cluster's brokers, comma-separated.
     *
     * @param bootstrap address of the broker, or of each broker of a cluster.
     * @return options with default timeouts.
     */
    public static ClientOptions of(final String bootstrap)
    {
        final List<String> addresses = new ArrayList<>();
        for (final String address : bootstrap.split(","))
        {
            addresses.add(address(address.trim(), bootstrap));
        }
        final String first = addresses.get(0);
        final int colon = first.lastIndexOf(':');
        return new ClientOptions(first.substring(0, colon), Integer.parseInt(first.substring(colon + 1)),
            Duration.ofSeconds(30), Frame.DEFAULT_MAX_FRAME_LENGTH, null, null, ClientIdle.BLOCKING,
            addresses.subList(1, addresses.size()));
    }

    private static String address(final String address, final String bootstrap)
    {
        final int colon = address.lastIndexOf(':');
        if (colon < 0)
        {
            return address + ":" + DEFAULT_PORT;
        }
        try
        {
            Integer.parseInt(address.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("bootstrap must be host:port (comma-separated for a cluster), got '" +
                bootstrap + "'");
        }
        return address;
    }

    /**
     * @param timeout how long a request waits for its answer.
     * @return a copy with the new timeout.
     */
    public ClientOptions withRequestTimeout(final Duration timeout)
    {
        return new ClientOptions(host, port, timeout, maxFrameLength, tls, credentials, idle, others, threads);
    }

    /**
     * @param settings TLS to the broker's TLS port (the bootstrap must name that port), or null for plaintext.
     * @return a copy with these TLS settings.
     */
    public ClientOptions withTls(final ClientTls settings)
    {
        return new ClientOptions(host, port, requestTimeout, maxFrameLength, settings, credentials, idle, others,
            threads);
    }

    /**
     * @param user     a user the broker knows ({@code portask users add}).
     * @param password its password (stretched here, never sent: SCRAM-SHA-256).
     * @return a copy that authenticates as that user.
     */
    public ClientOptions withScram(final String user, final String password)
    {
        return new ClientOptions(host, port, requestTimeout, maxFrameLength, tls,
            new Credentials(Scram.MECHANISM, user, password), idle, others, threads);
    }

    /**
     * @param token a bearer token ({@code portask tokens create}).
     * @return a copy that authenticates with it.
     */
    public ClientOptions withToken(final String token)
    {
        return new ClientOptions(host, port, requestTimeout, maxFrameLength, tls,
            new Credentials("TOKEN", null, token), idle, others, threads);
    }

    /**
     * @param how how the client's threads wait for answers and socket bytes (see {@link ClientIdle}).
     * @return a copy that waits that way.
     */
    public ClientOptions withIdle(final ClientIdle how)
    {
        return new ClientOptions(host, port, requestTimeout, maxFrameLength, tls, credentials,
            java.util.Objects.requireNonNull(how, "idle"), others, threads);
    }

    /**
     * @param factory makes the client's I/O threads (e.g. binding each to a CPU before it runs); the client names
     *                them ({@code portask-client-reader}, {@code portask-producer-sender}) and makes them daemons.
     * @return a copy whose threads come from it.
     */
    public ClientOptions withThreads(final ThreadFactory factory)
    {
        return new ClientOptions(host, port, requestTimeout, maxFrameLength, tls, credentials, idle, others,
            java.util.Objects.requireNonNull(factory, "threads"));
    }

    /**
     * @param task what the thread runs.
     * @param name the client's name for it.
     * @return a daemon thread from {@link #threads()}, named, not started.
     */
    Thread newThread(final Runnable task, final String name)
    {
        final Thread thread = threads.newThread(task);
        thread.setName(name);
        thread.setDaemon(true);
        return thread;
    }
}
