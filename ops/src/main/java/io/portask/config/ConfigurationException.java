package io.portask.config;

/**
 * A configuration value is missing, malformed or out of range. The message names the key, the value, where
 * the value came from and what is allowed.
 */
public final class ConfigurationException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the key, the value and what is allowed.
     */
    public ConfigurationException(final String message)
    {
        super(message);
    }
}
