package io.portask.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * Layered configuration: built-in defaults, then a properties file, then environment variables, then
 * {@code -D} system properties, each overriding the one before. Keys look like {@code portask.broker.port};
 * the environment spells them {@code PORTASK_BROKER_PORT}. Typed getters validate and fail with a message
 * that names the key, the value, its source and what is allowed. Immutable once built; safe to share.
 */
public final class Configuration
{
    private final Map<String, String> values;
    private final Map<String, String> sources;

    private Configuration(final Map<String, String> values, final Map<String, String> sources)
    {
        this.values = values;
        this.sources = sources;
    }

    /**
     * Merge the layers. Only keys in {@code knownKeys} are taken from the environment and system properties;
     * an unknown {@code portask.*} key in the file is an error, so a typo never goes unnoticed.
     *
     * @param knownKeys  every key the component understands.
     * @param file       properties file or null.
     * @param env        environment, usually {@link System#getenv()}.
     * @param properties system properties, usually {@link System#getProperties()}.
     * @return the merged configuration.
     */
    public static Configuration load(
        final Set<String> knownKeys, final Path file, final Map<String, String> env, final Properties properties)
    {
        final Map<String, String> values = new TreeMap<>();
        final Map<String, String> sources = new TreeMap<>();
        if (null != file)
        {
            final Properties fromFile = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
            {
                fromFile.load(reader);
            }
            catch (final IOException | IllegalArgumentException ex)
            {
                // IllegalArgumentException: Properties.load on a malformed unicode escape
                throw new ConfigurationException("cannot read config file " + file + ": " + ex.getMessage());
            }
            for (final String key : fromFile.stringPropertyNames())
            {
                if (!knownKeys.contains(key))
                {
                    throw new ConfigurationException("unknown key '" + key + "' in config file " + file +
                        "; known keys: " +
                        String.join(", ", new TreeMap<>(toMap(knownKeys)).keySet()));
                }
                values.put(key, fromFile.getProperty(key).trim());
                sources.put(key, "config file " + file);
            }
        }
        for (final String key : knownKeys)
        {
            final String envName = envName(key);
            final String fromEnv = env.get(envName);
            if (null != fromEnv)
            {
                values.put(key, fromEnv.trim());
                sources.put(key, "environment variable " + envName);
            }
            final String fromProperty = properties.getProperty(key);
            if (null != fromProperty)
            {
                values.put(key, fromProperty.trim());
                sources.put(key, "system property -D" + key);
            }
        }
        return new Configuration(values, sources);
    }

    private static Map<String, String> toMap(final Set<String> keys)
    {
        final Map<String, String> map = new TreeMap<>();
        keys.forEach(key -> map.put(key, key));
        return map;
    }

    /**
     * The environment variable that sets a key.
     *
     * @param key e.g. portask.broker.port.
     * @return e.g. PORTASK_BROKER_PORT.
     */
    public static String envName(final String key)
    {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * @param key     to read.
     * @param fallback default when unset.
     * @return the value or the default.
     */
    public String string(final String key, final String fallback)
    {
        final String value = values.get(key);
        return null == value || value.isEmpty() ? fallback : value;
    }

    /**
     * @param key      to read.
     * @param fallback default when unset.
     * @param min      smallest allowed.
     * @param max      largest allowed.
     * @return the value.
     * @throws ConfigurationException when not an integer in range.
     */
    public int integer(final String key, final int fallback, final int min, final int max)
    {
        return (int)longValue(key, fallback, min, max);
    }

    /**
     * @param key      to read.
     * @param fallback default when unset.
     * @param min      smallest allowed.
     * @param max      largest allowed.
     * @return the value.
     * @throws ConfigurationException when not an integer in range.
     */
    public long longValue(final String key, final long fallback, final long min, final long max)
    {
        final String value = values.get(key);
        if (null == value || value.isEmpty())
        {
            return fallback;
        }
        final long parsed;
        try
        {
            parsed = parseSize(value);
        }
        catch (final NumberFormatException ex)
        {
            throw invalid(key, value, "an integer in [" + min + ", " + max + "] (suffixes k, m, g allowed)");
        }
        if (parsed < min || parsed > max)
        {
            throw invalid(key, value, "an integer in [" + min + ", " + max + "]");
        }
        return parsed;
    }

    /**
     * @param key      to read.
     * @param fallback default when unset.
     * @return the value.
     * @throws ConfigurationException when not true or false.
     */
    public boolean bool(final String key, final boolean fallback)
    {
        final String value = values.get(key);
        if (null == value || value.isEmpty())
        {
            return fallback;
        }
        if ("true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value))
        {
            return Boolean.parseBoolean(value);
        }
        throw invalid(key, value, "true or false");
    }

    /**
     * @param key      to read.
     * @param type     the enum.
     * @param fallback default when unset.
     * @param <E>      the enum type.
     * @return the value, matched case-insensitively with '-' read as '_'.
     * @throws ConfigurationException when not one of the constants.
     */
    public <E extends Enum<E>> E enumValue(final String key, final Class<E> type, final E fallback)
    {
        final String value = values.get(key);
        if (null == value || value.isEmpty())
        {
            return fallback;
        }
        final String wanted = value.toUpperCase(Locale.ROOT).replace('-', '_');
        for (final E constant : type.getEnumConstants())
        {
            if (constant.name().equals(wanted))
            {
                return constant;
            }
        }
        final StringBuilder allowed = new StringBuilder();
        for (final E constant : type.getEnumConstants())
        {
            allowed.append(allowed.length() > 0 ? ", " : "").append(constant.name().toLowerCase(Locale.ROOT));
        }
        throw invalid(key, value, "one of " + allowed);
    }

    /**
     * Build the error for a bad value.
     *
     * @param key     the key.
     * @param value   the value found.
     * @param allowed what would have been accepted.
     * @return an exception naming all three and the value's source.
     */
    public ConfigurationException invalid(final String key, final String value, final String allowed)
    {
        return new ConfigurationException("invalid value '" + value + "' for " + key + " (from " +
            sources.getOrDefault(key, "defaults") + "): expected " + allowed);
    }

    /**
     * A duration in milliseconds: a number of ms, or with a unit (500ms, 45s, 30m, 12h, 7d), or "unlimited".
     *
     * @param key      to read.
     * @param fallback default when unset.
     * @return the value, Long.MAX_VALUE for unlimited.
     * @throws ConfigurationException when not a positive duration.
     */
    public long durationMs(final String key, final long fallback)
    {
        return parsed(key, fallback, Configuration::parseDurationMs,
            "a positive duration: ms, or with a unit (500ms, 45s, 30m, 12h, 7d), or unlimited");
    }

    /**
     * A size in bytes (suffixes k, m, g) or "unlimited".
     *
     * @param key      to read.
     * @param fallback default when unset.
     * @return the value, Long.MAX_VALUE for unlimited.
     * @throws ConfigurationException when not a positive size.
     */
    public long sizeOrUnlimited(final String key, final long fallback)
    {
        return parsed(key, fallback, Configuration::parseSizeOrUnlimited,
            "a positive size in bytes (suffixes k, m, g), or unlimited");
    }

    private long parsed(final String key, final long fallback, final ToLongFunction<String> parser,
        final String allowed)
    {
        final String value = values.get(key);
        if (null == value || value.isEmpty())
        {
            return fallback;
        }
        try
        {
            return parser.applyAsLong(value);
        }
        catch (final IllegalArgumentException | ArithmeticException ex)
        {
            throw invalid(key, value, allowed);
        }
    }

    /**
     * @param value 500ms, 45s, 30m, 12h, 7d, a plain number of ms, or unlimited.
     * @return milliseconds, Long.MAX_VALUE for unlimited.
     * @throws IllegalArgumentException when not a positive duration.
     */
    public static long parseDurationMs(final String value)
    {
        final String lower = value.trim().toLowerCase(Locale.ROOT);
        if ("unlimited".equals(lower))
        {
            return Long.MAX_VALUE;
        }
        final int unitAt = lower.replaceAll("[^0-9_]+$", "").length();
        final long amount = Long.parseLong(lower.substring(0, unitAt).replace("_", ""));
        final long ms = switch (lower.substring(unitAt))
        {
            case "", "ms" -> amount;
            case "s" -> Math.multiplyExact(amount, 1000L);
            case "m" -> Math.multiplyExact(amount, 60_000L);
            case "h" -> Math.multiplyExact(amount, 3_600_000L);
            case "d" -> Math.multiplyExact(amount, 86_400_000L);
            default -> throw new IllegalArgumentException("unknown unit in '" + value + "'");
        };
        if (ms <= 0)
        {
            throw new IllegalArgumentException("not positive: '" + value + "'");
        }
        return ms;
    }

    /**
     * @param value bytes with suffix k, m or g, or unlimited.
     * @return bytes, Long.MAX_VALUE for unlimited.
     * @throws IllegalArgumentException when not a positive size.
     */
    public static long parseSizeOrUnlimited(final String value)
    {
        if ("unlimited".equalsIgnoreCase(value.trim()))
        {
            return Long.MAX_VALUE;
        }
        final long bytes = parseSize(value.trim());
        if (bytes <= 0)
        {
            throw new IllegalArgumentException("not positive: '" + value + "'");
        }
        return bytes;
    }

    private static long parseSize(final String value)
    {
        final String lower = value.toLowerCase(Locale.ROOT);
        final char last = lower.charAt(lower.length() - 1);
        final long multiplier = switch (last)
        {
            case 'k' -> 1024L;
            case 'm' -> 1024L * 1024;
            case 'g' -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        final String digits = 1L == multiplier ? lower : lower.substring(0, lower.length() - 1);
        return Math.multiplyExact(Long.parseLong(digits.replace("_", "")), multiplier);
    }
}
