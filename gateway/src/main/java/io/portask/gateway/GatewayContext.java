package io.portask.gateway;

import io.portask.protocol.Compression;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * Settings of a gateway. Fluent setters, validated by {@link #conclude()}.
 */
public final class GatewayContext
{
    private String bindAddress = "127.0.0.1";
    private int port = 8080;
    private String aeronDir = "data/aeron";
    private String token;
    private String tokenPrincipal = "gateway";
    private String tlsCertificate;
    private String tlsKey;
    private java.nio.file.Path securityDir = java.nio.file.Path.of("data", "security");
    private Duration requestTimeout = Duration.ofSeconds(5);
    private int maxBodyBytes = 1024 * 1024;
    private Compression compression = Compression.NONE;
    private long linkMaxParkNs = 100_000;

    /**
     * Check the settings: a gateway bound to anything but loopback must have a token.
     *
     * @return this for a fluent API.
     */
    public GatewayContext conclude()
    {
        if (port < 0 || port > 65535)
        {
            throw new IllegalStateException("gateway port must be in [0, 65535], got " + port);
        }
        if (!isLoopback(bindAddress) && (null == token || token.isBlank()))
        {
            throw new IllegalStateException("portask.gateway.token must be set when the gateway binds to " +
                bindAddress + " (anything but loopback)");
        }
        return this;
    }

    static boolean isLoopback(final String address)
    {
        try
        {
            return InetAddress.getByName(address).isLoopbackAddress();
        }
        catch (final UnknownHostException ex)
        {
            return false;
        }
    }

    /**
     * @param principal who a caller with the gateway's own token acts as at the broker (grant it ACLs, or make it a
     *                  super user).
     * @return this.
     */
    public GatewayContext tokenPrincipal(final String principal)
    {
        this.tokenPrincipal = principal;
        return this;
    }

    /** @return who a caller with the gateway's own token acts as. */
    public String tokenPrincipal()
    {
        return tokenPrincipal;
    }

    /**
     * @param certificate PEM certificate chain for HTTPS, or null for plain HTTP.
     * @param key         its PEM PKCS#8 key.
     * @return this.
     */
    public GatewayContext tls(final String certificate, final String key)
    {
        this.tlsCertificate = certificate;
        this.tlsKey = key;
        return this;
    }

    /** @return the PEM certificate chain for HTTPS, or null. */
    public String tlsCertificate()
    {
        return tlsCertificate;
    }

    /** @return the PEM key for HTTPS, or null. */
    public String tlsKey()
    {
        return tlsKey;
    }

    /** @param dir the broker's DATA/security, whose tokens the gateway accepts too. @return this. */
    public GatewayContext securityDir(final java.nio.file.Path dir)
    {
        this.securityDir = dir;
        return this;
    }

    /** @return the folder of the tokens the gateway accepts. */
    public java.nio.file.Path securityDir()
    {
        return securityDir;
    }

    /** @param address to listen on. @return this. */
    public GatewayContext bindAddress(final String address)
    {
        this.bindAddress = address;
        return this;
    }

    /** @return address to listen on. */
    public String bindAddress()
    {
        return bindAddress;
    }

    /** @param port HTTP port, 0 for any. @return this. */
    public GatewayContext port(final int port)
    {
        this.port = port;
        return this;
    }

    /** @return HTTP port. */
    public int port()
    {
        return port;
    }

    /** @param dir the broker's Aeron directory. @return this. */
    public GatewayContext aeronDir(final String dir)
    {
        this.aeronDir = dir;
        return this;
    }

    /** @return the broker's Aeron directory. */
    public String aeronDir()
    {
        return aeronDir;
    }

    /** @param token bearer token required on every route but /health, or null on loopback. @return this. */
    public GatewayContext token(final String token)
    {
        this.token = token;
        return this;
    }

    /** @return the bearer token, or null. */
    public String token()
    {
        return token;
    }

    /** @param timeout how long a request waits for the broker. @return this. */
    public GatewayContext requestTimeout(final Duration timeout)
    {
        this.requestTimeout = timeout;
        return this;
    }

    /** @return how long a request waits for the broker. */
    public Duration requestTimeout()
    {
        return requestTimeout;
    }

    /** @param bytes largest request body accepted. @return this. */
    public GatewayContext maxBodyBytes(final int bytes)
    {
        this.maxBodyBytes = bytes;
        return this;
    }

    /** @return largest request body accepted. */
    public int maxBodyBytes()
    {
        return maxBodyBytes;
    }

    /**
     * @param mode how HTTP and WebSocket publishes compress their batches (NONE, ZSTD, ADAPTIVE).
     * @return this.
     */
    public GatewayContext compression(final Compression mode)
    {
        this.compression = mode;
        return this;
    }

    /**
     * @return how publishes compress their batches.
     */
    public Compression compression()
    {
        return compression;
    }

    /**
     * @param ns the longest park of the broker link's thread between polls (how long a reply may wait).
     * @return this.
     */
    public GatewayContext linkMaxParkNs(final long ns)
    {
        this.linkMaxParkNs = ns;
        return this;
    }

    /**
     * @return the longest park of the broker link's thread between polls.
     */
    public long linkMaxParkNs()
    {
        return linkMaxParkNs;
    }
}
