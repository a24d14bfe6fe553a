package io.portask.ops;

import io.portask.config.Configuration;
import io.portask.gateway.GatewayContext;
import io.portask.protocol.Compression;

import java.io.File;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The gateway's configuration keys. The gateway reads the broker's keys too (the data folder and Aeron directory
 * locate the broker), so one config file serves both processes.
 */
public final class GatewayConfiguration
{
    /** Address the HTTP server listens on; anything but loopback requires a token. */
    public static final String BIND_PROP = "portask.gateway.bind";
    /** HTTP port. */
    public static final String PORT_PROP = "portask.gateway.port";
    /** Bearer token required on every route but /health. */
    public static final String TOKEN_PROP = "portask.gateway.token";
    /** PEM certificate chain: the gateway serves HTTPS (TLS 1.3) instead of HTTP; with the key below. */
    public static final String TLS_CERTIFICATE_PROP = "portask.gateway.tls.certificate";
    /** PEM PKCS#8 private key for HTTPS. */
    public static final String TLS_KEY_PROP = "portask.gateway.tls.key";
    /** Who a caller with that token acts as at the broker, where ACLs are on. */
    public static final String TOKEN_PRINCIPAL_PROP = "portask.gateway.token.principal";
    /** How long an HTTP request waits for the broker. */
    public static final String REQUEST_TIMEOUT_MS_PROP = "portask.gateway.request.timeout.ms";
    /** Largest request body accepted. */
    public static final String MAX_BODY_BYTES_PROP = "portask.gateway.max.body.bytes";
    /** How the gateway's publishes compress their batches: none, zstd or adaptive. */
    public static final String COMPRESSION_PROP = "portask.gateway.compression";
    /** The longest park of the gateway's broker link between polls, us: how long a reply may wait to be read. */
    public static final String LINK_MAX_PARK_US_PROP = "portask.gateway.link.max.park.us";

    /** Every key the gateway reads. */
    public static final Set<String> KEYS;

    static
    {
        final Set<String> keys = new HashSet<>(BrokerConfiguration.KEYS);
        keys.addAll(Set.of(
            BIND_PROP, PORT_PROP, TOKEN_PROP, TOKEN_PRINCIPAL_PROP, REQUEST_TIMEOUT_MS_PROP, MAX_BODY_BYTES_PROP,
            COMPRESSION_PROP, TLS_CERTIFICATE_PROP, TLS_KEY_PROP, LINK_MAX_PARK_US_PROP));
        KEYS = Set.copyOf(keys);
    }

    private GatewayConfiguration()
    {
    }

    private static Compression compression(final Configuration config)
    {
        final String value = config.string(COMPRESSION_PROP, "none");
        try
        {
            return Compression.valueOf(value.toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw config.invalid(COMPRESSION_PROP, value, "none, zstd or adaptive");
        }
    }

    /**
     * @return the readable PEM file the key names, or null when neither it nor its pair is set.
     * @throws io.portask.config.ConfigurationException naming the key when one of the pair is missing or unreadable.
     */
    private static String pem(final Configuration config, final String key, final String pair)
    {
        final String value = config.string(key, null);
        if (null == value)
        {
            if (null != config.string(pair, null))
            {
                throw new io.portask.config.ConfigurationException(key + " is required with " + pair);
            }
            return null;
        }
        if (!java.nio.file.Files.isReadable(java.nio.file.Path.of(value)))
        {
            throw config.invalid(key, value, "a readable PEM file");
        }
        return value;
    }

    /**
     * @param config merged configuration.
     * @return a gateway context, validated.
     */
    public static GatewayContext context(final Configuration config)
    {
        final File dataDir = new File(config.string(BrokerConfiguration.DATA_DIR_PROP, "data"));
        final String aeronDir = config.string(BrokerConfiguration.AERON_DIR_PROP, new File(dataDir, "aeron").getPath());
        final GatewayContext ctx = new GatewayContext()
            .bindAddress(config.string(BIND_PROP, "127.0.0.1"))
            .port(config.integer(PORT_PROP, 8080, 0, 65535))
            .aeronDir(new File(aeronDir).getAbsolutePath())
            .token(config.string(TOKEN_PROP, null))
            .tokenPrincipal(config.string(TOKEN_PRINCIPAL_PROP, "gateway"))
            .securityDir(dataDir.toPath().resolve("security"))
            .tls(pem(config, TLS_CERTIFICATE_PROP, TLS_KEY_PROP), pem(config, TLS_KEY_PROP, TLS_CERTIFICATE_PROP))
            .requestTimeout(Duration.ofMillis(config.integer(REQUEST_TIMEOUT_MS_PROP, 5_000, 10, 600_000)))
            .maxBodyBytes(config.integer(MAX_BODY_BYTES_PROP, 1 << 20, 1024, 64 << 20))
            .compression(compression(config))
            .linkMaxParkNs(1_000L * config.integer(LINK_MAX_PARK_US_PROP, 100, 1, 100_000));
        try
        {
            return ctx.conclude();
        }
        catch (final IllegalStateException ex)
        {
            throw new io.portask.config.ConfigurationException(ex.getMessage());
        }
    }
}
