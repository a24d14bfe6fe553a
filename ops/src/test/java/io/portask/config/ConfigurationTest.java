package io.portask.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigurationTest
{
    private static final Set<String> KEYS = Set.of("portask.broker.port", "portask.threading.mode");

    enum Mode
    {
        SHARED, DEDICATED
    }

    @TempDir
    Path dir;

    @Test
    void shouldLayerFileThenEnvironmentThenSystemProperties() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("b.properties"), "portask.broker.port=1000\n");
        final Properties props = new Properties();
        assertEquals(1000, Configuration.load(KEYS, file, Map.of(), props).integer("portask.broker.port", 1, 0, 65535));
        final Map<String, String> env = Map.of("PORTASK_BROKER_PORT", "2000");
        assertEquals(2000, Configuration.load(KEYS, file, env, props).integer("portask.broker.port", 1, 0, 65535));
        props.setProperty("portask.broker.port", "3000");
        assertEquals(3000, Configuration.load(KEYS, file, env, props).integer("portask.broker.port", 1, 0, 65535));
        assertEquals(7,
            Configuration.load(KEYS, null, Map.of(), new Properties()).integer("portask.broker.port", 7, 0, 9));
    }

    @Test
    void shouldNameKeyValueSourceAndRangeWhenInvalid()
    {
        final Configuration config =
            Configuration.load(KEYS, null, Map.of("PORTASK_BROKER_PORT", "70000"), new Properties());
        final ConfigurationException ex = assertThrows(
            ConfigurationException.class, () -> config.integer("portask.broker.port", 1, 0, 65535));
        assertEquals("invalid value '70000' for portask.broker.port (from environment variable " +
            "PORTASK_BROKER_PORT): expected an integer in [0, 65535]", ex.getMessage());
    }

    @Test
    void shouldReadDurationsAndSizesWithUnitsOrUnlimited()
    {
        assertEquals(604_800_000L, Configuration.parseDurationMs("7d"));
        assertEquals(45_000L, Configuration.parseDurationMs("45s"));
        assertEquals(1_800_000L, Configuration.parseDurationMs("30m"));
        assertEquals(250L, Configuration.parseDurationMs("250ms"));
        assertEquals(250L, Configuration.parseDurationMs("250"));
        assertEquals(Long.MAX_VALUE, Configuration.parseDurationMs("unlimited"));
        assertEquals(1L << 30, Configuration.parseSizeOrUnlimited("1g"));
        assertEquals(Long.MAX_VALUE, Configuration.parseSizeOrUnlimited("UNLIMITED"));
        for (final String bad : new String[]{ "0", "-5s", "7w", "soon", "" })
        {
            assertThrows(IllegalArgumentException.class, () -> Configuration.parseDurationMs(bad), bad);
        }
        final Properties props = new Properties();
        props.setProperty("portask.broker.port", "12x");
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () ->
            Configuration.load(KEYS, null, Map.of(), props).durationMs("portask.broker.port", 1));
        assertTrue(ex.getMessage().startsWith("invalid value '12x' for portask.broker.port (from ") &&
            ex.getMessage().endsWith("expected a positive duration: ms, or with a unit (500ms, 45s, 30m, 12h, 7d), " +
            "or unlimited"), ex.getMessage());
    }

    @Test
    void shouldReadEnumsAndSizes()
    {
        final Properties props = new Properties();
        props.setProperty("portask.threading.mode", "dedicated");
        props.setProperty("portask.broker.port", "4k");
        final Configuration config = Configuration.load(KEYS, null, Map.of(), props);
        assertEquals(Mode.DEDICATED, config.enumValue("portask.threading.mode", Mode.class, Mode.SHARED));
        assertEquals(4096, config.integer("portask.broker.port", 0, 0, 65535));
        props.setProperty("portask.threading.mode", "fast");
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () ->
            Configuration.load(KEYS, null, Map.of(), props)
                .enumValue("portask.threading.mode", Mode.class, Mode.SHARED));
        assertTrue(ex.getMessage().contains("expected one of shared, dedicated"), ex.getMessage());
    }

    @Test
    void shouldRefuseAMalformedEscapeNamingTheFile() throws IOException
    {
        // found by ConfigFuzzTest: Properties.load threw a bare IllegalArgumentException
        final Path file = Files.writeString(dir.resolve("bad.properties"), "portask.broker.port=\\u12\n");
        final ConfigurationException refused = assertThrows(ConfigurationException.class,
            () -> Configuration.load(KEYS, file, Map.of(), new Properties()));
        assertTrue(refused.getMessage().startsWith("cannot read config file " + file), refused.getMessage());
    }

    @Test
    void shouldRejectUnknownKeyInFile() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("b.properties"), "portask.broker.prot=1\n");
        final ConfigurationException ex = assertThrows(
            ConfigurationException.class, () -> Configuration.load(KEYS, file, Map.of(), new Properties()));
        assertTrue(ex.getMessage().startsWith("unknown key 'portask.broker.prot'"), ex.getMessage());
    }
}
