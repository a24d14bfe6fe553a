package io.portask.ops;

import io.portask.config.Configuration;
import io.portask.config.ConfigurationException;
import io.portask.gateway.Gateway;
import io.portask.gateway.GatewayContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The gateway's configuration reload on SIGHUP: the settings are read and validated again as at start; the
 * gateway's own token and its principal and the log levels apply at once, other gateway keys that changed are
 * reported as needing a restart; a bad file changes nothing. Tokens made with {@code portask tokens} reload by
 * themselves from their file.
 * <p>
 * Threading: the signal thread; reloads are serialised.
 */
final class GatewayReload
{
    private static final Logger LOG = LoggerFactory.getLogger(GatewayReload.class);

    private final Gateway gateway;
    private final GatewayContext started;
    private final Supplier<Configuration> source;

    GatewayReload(final Gateway gateway, final GatewayContext started, final Supplier<Configuration> source)
    {
        this.gateway = gateway;
        this.started = started;
        this.source = source;
    }

    /**
     * Load, validate and apply; log what happened.
     */
    synchronized void reload()
    {
        try
        {
            final Configuration config = source.get();
            final GatewayContext fresh = GatewayConfiguration.context(config);
            final LogLevels.Settings levels = LogLevels.settings(config);
            final List<String> restart = new ArrayList<>();
            changed(restart, GatewayConfiguration.BIND_PROP, started.bindAddress(), fresh.bindAddress());
            changed(restart, GatewayConfiguration.PORT_PROP, started.port(), fresh.port());
            changed(restart, GatewayConfiguration.LINK_MAX_PARK_US_PROP, started.linkMaxParkNs(),
                fresh.linkMaxParkNs());
            changed(restart, BrokerConfiguration.AERON_DIR_PROP, started.aeronDir(), fresh.aeronDir());
            changed(restart, GatewayConfiguration.REQUEST_TIMEOUT_MS_PROP, started.requestTimeout(),
                fresh.requestTimeout());
            changed(restart, GatewayConfiguration.MAX_BODY_BYTES_PROP, started.maxBodyBytes(), fresh.maxBodyBytes());
            changed(restart, GatewayConfiguration.COMPRESSION_PROP, started.compression(), fresh.compression());
            changed(restart, "portask.gateway.tls.*", started.tlsCertificate() + " " + started.tlsKey(),
                fresh.tlsCertificate() + " " + fresh.tlsKey());
            gateway.staticToken(fresh.token(), fresh.tokenPrincipal());
            LogLevels.apply(levels);
            LOG.info("config reload: applied gateway token ({}), {}{}", null == fresh.token() ? "none" : "set",
                levels, restart.isEmpty() ? "" : "; changed but needs a restart: " + String.join(", ", restart));
        }
        catch (final ConfigurationException ex)
        {
            LOG.error("config reload refused, nothing changed: {}", ex.getMessage());
        }
    }

    private static void changed(final List<String> keys, final String key, final Object before, final Object after)
    {
        if (!Objects.equals(before, after))
        {
            keys.add(key);
        }
    }
}
