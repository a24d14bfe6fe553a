package io.portask.ops;

import io.portask.config.Configuration;
import io.portask.config.ConfigurationException;
import io.portask.transport.AuthSettings;
import io.portask.transport.SecurityStore;

import java.io.File;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The broker's authentication keys, and the safe default: a broker bound to anything but loopback refuses to start
 * unless it requires authentication or is told in so many words that anonymous access is meant.
 */
final class SecurityConfiguration
{
    /** Every connection authenticates (SCRAM-SHA-256, a token or a client certificate) before any other request. */
    static final String AUTH_REQUIRED_PROP = "portask.security.auth.required";
    /** Anonymous access on a broker bound to anything but loopback: only when set to true on purpose. */
    static final String ALLOW_ANONYMOUS_PROP = "portask.security.allow.anonymous";
    /** Failed attempts after which a connection is closed. */
    static final String MAX_FAILURES_PROP = "portask.security.max.failures";
    /** Failed attempts per second (burst 10x) one remote address may make before it is refused THROTTLED. */
    static final String FAILURES_PER_SEC_PROP = "portask.security.failures.per.sec";

    /** Check every request against the ACLs in DATA/security/acls; by default on exactly when auth is required. */
    static final String ACLS_ENABLED_PROP = "portask.security.acls.enabled";
    /** Comma-separated principals that may do everything (operators). */
    static final String SUPER_USERS_PROP = "portask.security.super.users";

    static final Set<String> KEYS = Set.of(AUTH_REQUIRED_PROP, ALLOW_ANONYMOUS_PROP, MAX_FAILURES_PROP,
        FAILURES_PER_SEC_PROP, ACLS_ENABLED_PROP, SUPER_USERS_PROP);

    private SecurityConfiguration()
    {
    }

    /**
     * @throws ConfigurationException when the broker would be open to the network without authentication.
     */
    static AuthSettings settings(final Configuration config, final String bind, final File dataDir)
    {
        final boolean required = config.bool(AUTH_REQUIRED_PROP, false);
        if (!required && !isLoopback(bind) && !config.bool(ALLOW_ANONYMOUS_PROP, false))
        {
            throw new ConfigurationException(BrokerConfiguration.BIND_PROP + "=" + bind + " is not loopback: set " +
                AUTH_REQUIRED_PROP + "=true (and add users: portask users add NAME) or, to serve anyone who can " +
                "reach the port, " + ALLOW_ANONYMOUS_PROP + "=true");
        }
        return new AuthSettings(required, SecurityStore.folder(dataDir.toPath()),
            config.integer(MAX_FAILURES_PROP, 3, 1, 1000), config.integer(FAILURES_PER_SEC_PROP, 5, 1, 100_000));
    }

    /**
     * @return whether ACLs are checked (default: when authentication is required).
     */
    static boolean aclsEnabled(final Configuration config)
    {
        return config.bool(ACLS_ENABLED_PROP, config.bool(AUTH_REQUIRED_PROP, false));
    }

    /**
     * @return the super users.
     */
    static Set<String> superUsers(final Configuration config)
    {
        return Arrays.stream(config.string(SUPER_USERS_PROP, "").split(",")).map(String::trim)
            .filter(user -> !user.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }

    private static boolean isLoopback(final String bind)
    {
        try
        {
            return InetAddress.getByName(bind).isLoopbackAddress();
        }
        catch (final UnknownHostException ex)
        {
            return false;
        }
    }
}
