package io.portask.ops;

import io.netty.handler.ssl.ClientAuth;
import io.portask.config.Configuration;
import io.portask.config.ConfigurationException;
import io.portask.transport.TlsSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The broker's TLS listener keys: off unless {@code portask.tls.port} is set; then the PEM certificate and key are
 * required and must be readable, each error naming its key.
 */
final class TlsConfiguration
{
    /** TLS port, beside the plaintext one ({@code portask.broker.port=-1} turns that off); unset: no TLS. */
    static final String PORT_PROP = "portask.tls.port";
    /** PEM certificate chain of the broker. */
    static final String CERTIFICATE_PROP = "portask.tls.certificate";
    /** PEM PKCS#8 private key of the broker. */
    static final String KEY_PROP = "portask.tls.key";
    /** PEM CA certificates that client certificates must chain to (mutual TLS). */
    static final String CA_PROP = "portask.tls.ca";
    /** none, optional or required: whether clients present certificates (mapped to principals by their CN). */
    static final String CLIENT_AUTH_PROP = "portask.tls.client.auth";
    /** auto (OpenSSL where it loads, else the JDK), openssl or jdk. */
    static final String ENGINE_PROP = "portask.tls.engine";
    /** Comma-separated protocols; TLSv1.3 by default. */
    static final String PROTOCOLS_PROP = "portask.tls.protocols";

    static final Set<String> KEYS =
        Set.of(PORT_PROP, CERTIFICATE_PROP, KEY_PROP, CA_PROP, CLIENT_AUTH_PROP, ENGINE_PROP, PROTOCOLS_PROP);

    private TlsConfiguration()
    {
    }

    /**
     * @return the TLS settings, or null when {@code portask.tls.port} is not set.
     * @throws ConfigurationException naming the key of a missing or unreadable file or a bad value.
     */
    static TlsSettings settings(final Configuration config)
    {
        final int port = config.integer(PORT_PROP, -1, -1, 65535);
        if (-1 == port)
        {
            return null;
        }
        final Path certificate = file(config, CERTIFICATE_PROP, true);
        final Path key = file(config, KEY_PROP, true);
        final Path ca = file(config, CA_PROP, false);
        final String clientAuth = config.string(CLIENT_AUTH_PROP, "none");
        final ClientAuth mode = switch (clientAuth)
        {
            case "none" -> ClientAuth.NONE;
            case "optional" -> ClientAuth.OPTIONAL;
            case "required" -> ClientAuth.REQUIRE;
            default -> throw config.invalid(CLIENT_AUTH_PROP, clientAuth, "none, optional or required");
        };
        if (ClientAuth.NONE != mode && null == ca)
        {
            throw new ConfigurationException(CLIENT_AUTH_PROP + "=" + clientAuth + " needs " + CA_PROP +
                " (the CA certificates client certificates must chain to)");
        }
        final String engine = config.string(ENGINE_PROP, "auto");
        if (!Set.of("auto", "openssl", "jdk").contains(engine))
        {
            throw config.invalid(ENGINE_PROP, engine, "auto, openssl or jdk");
        }
        final List<String> protocols = Arrays.stream(config.string(PROTOCOLS_PROP, "TLSv1.3").split(","))
            .map(String::trim).filter(p -> !p.isEmpty()).toList();
        for (final String protocol : protocols)
        {
            if (!Set.of("TLSv1.2", "TLSv1.3").contains(protocol))
            {
                throw config.invalid(PROTOCOLS_PROP, protocol, "TLSv1.3 and/or TLSv1.2");
            }
        }
        return new TlsSettings(port, certificate, key, ca, mode, engine, protocols);
    }

    private static Path file(final Configuration config, final String key, final boolean required)
    {
        final String value = config.string(key, null);
        if (null == value)
        {
            if (required)
            {
                throw new ConfigurationException(key + " is required when " + PORT_PROP + " is set");
            }
            return null;
        }
        final Path path = Path.of(value);
        if (!Files.isReadable(path))
        {
            throw config.invalid(key, value, "a readable PEM file");
        }
        return path;
    }
}
