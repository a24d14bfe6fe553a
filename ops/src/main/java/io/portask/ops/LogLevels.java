package io.portask.ops;

import io.portask.config.Configuration;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The broker's and gateway's log: slf4j over java.util.logging, one line per event to standard error,
 * {@code [thread] LEVEL logger - message} (a stack trace under it), with levels from {@code portask.log.level} (the
 * root) and {@code portask.log.levels} ({@code io.netty=warn,io.portask.transport=debug}); both reload with the rest
 * of the settings, because java.util.logging checks a logger's level at every call.
 * <p>
 * Threading: {@link #apply} is synchronized; formatting runs on the logging thread.
 */
final class LogLevels
{
    /** The root level: error, warn, info, debug, trace or off. */
    static final String LEVEL_PROP = "portask.log.level";
    /** Levels for logger name prefixes: {@code prefix=level,prefix=level}. */
    static final String LEVELS_PROP = "portask.log.levels";
    /** The keys read here. */
    static final Set<String> KEYS = Set.of(LEVEL_PROP, LEVELS_PROP);

    private static final String ALLOWED = "one of error, warn, info, debug, trace, off";
    // java.util.logging keeps loggers weakly: hold the ones given a level, or the level is lost with them
    private static final Map<String, Logger> CONFIGURED = new HashMap<>();

    /**
     * Levels as read from the configuration.
     *
     * @param root    the root logger's.
     * @param loggers per logger name prefix.
     */
    record Settings(Level root, Map<String, Level> loggers)
    {
        /**
         * @return the settings in the configuration's words, for a reload report.
         */
        @Override
        public String toString()
        {
            final StringBuilder words = new StringBuilder("log level ").append(name(root));
            new java.util.TreeMap<>(loggers).forEach((logger, level) ->
                words.append(", ").append(logger).append('=').append(name(level)));
            return words.toString();
        }
    }

    private LogLevels()
    {
    }

    /**
     * @param config the merged configuration.
     * @return the levels it asks for.
     * @throws io.portask.config.ConfigurationException naming the key when a level or an entry is malformed.
     */
    static Settings settings(final Configuration config)
    {
        final String root = config.string(LEVEL_PROP, "info");
        final Level rootLevel = level(root);
        if (null == rootLevel)
        {
            throw config.invalid(LEVEL_PROP, root, ALLOWED);
        }
        final Map<String, Level> loggers = new HashMap<>();
        final String list = config.string(LEVELS_PROP, "");
        for (final String entry : Arrays.stream(list.split(",")).map(String::trim).filter(e -> !e.isEmpty()).toList())
        {
            final int equals = entry.indexOf('=');
            final Level level = equals > 0 ? level(entry.substring(equals + 1).trim()) : null;
            if (null == level)
            {
                throw config.invalid(LEVELS_PROP, list, "logger=level entries separated by commas, each level " +
                    ALLOWED + " (at '" + entry + "')");
            }
            loggers.put(entry.substring(0, equals).trim(), level);
        }
        return new Settings(rootLevel, Map.copyOf(loggers));
    }

    /**
     * Send every log event to standard error as one line, in place of the JDK's two-line console handler; leaves a
     * logging set up by someone else (an application embedding the broker) alone. Idempotent.
     */
    static synchronized void install()
    {
        final Logger root = Logger.getLogger("");
        final Handler[] handlers = root.getHandlers();
        if (handlers.length != 1 || !(handlers[0] instanceof ConsoleHandler) ||
            !(handlers[0].getFormatter() instanceof java.util.logging.SimpleFormatter))
        {
            return;
        }
        root.removeHandler(handlers[0]);
        final ConsoleHandler console = new ConsoleHandler();
        console.setLevel(Level.ALL);
        console.setFormatter(new OneLine());
        root.addHandler(console);
    }

    /**
     * Set the levels; a prefix configured before and left out now goes back to inheriting the root's.
     */
    static synchronized void apply(final Settings settings)
    {
        Logger.getLogger("").setLevel(settings.root());
        CONFIGURED.values().forEach(logger -> logger.setLevel(null));
        CONFIGURED.clear();
        settings.loggers().forEach((name, level) ->
        {
            final Logger logger = Logger.getLogger(name);
            logger.setLevel(level);
            CONFIGURED.put(name, logger);
        });
    }

    private static Level level(final String name)
    {
        return switch (name.toLowerCase(Locale.ROOT))
        {
            case "error" -> Level.SEVERE;
            case "warn" -> Level.WARNING;
            case "info" -> Level.INFO;
            case "debug" -> Level.FINE;
            case "trace" -> Level.FINEST;
            case "off" -> Level.OFF;
            default -> null;
        };
    }

    static String name(final Level level)
    {
        if (Level.OFF.equals(level))
        {
            return "off";
        }
        final int value = level.intValue();
        return value >= Level.SEVERE.intValue() ? "error" : value >= Level.WARNING.intValue() ? "warn" :
            value >= Level.INFO.intValue() ? "info" : value >= Level.FINE.intValue() ? "debug" : "trace";
    }

    /**
     * {@code [thread] LEVEL logger - message}, as the launcher and the tests read the broker's log.
     */
    static final class OneLine extends Formatter
    {
        @Override
        public String format(final LogRecord record)
        {
            final StringBuilder line = new StringBuilder(128).append('[').append(Thread.currentThread().getName())
                .append("] ").append(name(record.getLevel()).toUpperCase(Locale.ROOT)).append(' ')
                .append(record.getLoggerName()).append(" - ").append(formatMessage(record))
                .append(System.lineSeparator());
            if (null != record.getThrown())
            {
                final StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append(trace);
            }
            return line.toString();
        }
    }
}
