package io.portask.ops;

import io.portask.config.Configuration;
import io.portask.config.ConfigurationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Log levels from the configuration: parsed and refused with the key named, applied to java.util.logging (where
 * slf4j's calls go) and taken back on the next apply; the one-line format the launcher and tests read.
 */
class LogLevelsTest
{
    private final Level rootBefore = Logger.getLogger("").getLevel();

    @AfterEach
    void restore()
    {
        LogLevels.apply(new LogLevels.Settings(rootBefore, Map.of()));
    }

    @Test
    void shouldApplyRootAndPrefixLevelsAndTakeThemBack()
    {
        LogLevels.apply(LogLevels.settings(config("debug", "io.netty = warn, io.portask.transport=trace")));
        assertEquals(Level.FINE, Logger.getLogger("").getLevel());
        assertEquals(Level.WARNING, Logger.getLogger("io.netty").getLevel());
        assertTrue(org.slf4j.LoggerFactory.getLogger("io.portask.transport.TcpTransport").isTraceEnabled());
        assertTrue(!org.slf4j.LoggerFactory.getLogger("io.netty.channel.Foo").isInfoEnabled());

        LogLevels.apply(LogLevels.settings(config("info", "")));
        assertNull(Logger.getLogger("io.netty").getLevel(), "a prefix left out inherits the root again");
        assertTrue(org.slf4j.LoggerFactory.getLogger("io.netty.channel.Foo").isInfoEnabled());
        assertTrue(!org.slf4j.LoggerFactory.getLogger("io.portask.transport.TcpTransport").isDebugEnabled());
    }

    @Test
    void shouldRefuseUnknownLevelsNamingTheKey()
    {
        assertTrue(assertThrows(ConfigurationException.class, () -> LogLevels.settings(config("loud", "")))
            .getMessage().contains("portask.log.level"));
        final String message = assertThrows(ConfigurationException.class,
            () -> LogLevels.settings(config("info", "io.netty=warn,io.portask"))).getMessage();
        assertTrue(message.contains("portask.log.levels") && message.contains("'io.portask'"), message);
    }

    @Test
    void shouldFormatOneLinePerEventAsTheLauncherReadsIt()
    {
        final LogRecord record = new LogRecord(Level.WARNING, "journal cut at 42");
        record.setLoggerName("io.portask.storage.Journal");
        final String line = new LogLevels.OneLine().format(record);
        assertEquals("[" + Thread.currentThread().getName() + "] WARN io.portask.storage.Journal - journal cut at 42" +
            System.lineSeparator(), line);
        record.setThrown(new IllegalStateException("boom"));
        assertTrue(new LogLevels.OneLine().format(record).contains("java.lang.IllegalStateException: boom"));
    }

    private static Configuration config(final String root, final String levels)
    {
        final Properties properties = new Properties();
        properties.setProperty(LogLevels.LEVEL_PROP, root);
        properties.setProperty(LogLevels.LEVELS_PROP, levels);
        return Configuration.load(LogLevels.KEYS, null, Map.of(), properties);
    }
}
