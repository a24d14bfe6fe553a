package io.portask.ops.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import io.portask.config.Configuration;
import io.portask.config.ConfigurationException;
import io.portask.ops.BrokerConfiguration;
import io.portask.ops.GatewayConfiguration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Fuzz target for the config loader: any text as a properties file, loaded for the broker and for the gateway and
 * turned into their contexts (every key parsed and range-checked). Bad input may be refused only with a
 * {@link ConfigurationException} (its message names the key); anything else is a finding.
 */
class ConfigFuzzTest
{
    private static final Path FILE = file();

    @FuzzTest(maxDuration = "60s")
    void propertiesFile(final @NotNull String text) throws IOException
    {
        Files.writeString(FILE, text, StandardCharsets.UTF_8);
        try
        {
            final Configuration broker = Configuration.load(BrokerConfiguration.KEYS, FILE, Map.of(), new Properties());
            BrokerConfiguration.context(broker);
            BrokerConfiguration.dragonfly(broker);
        }
        catch (final ConfigurationException refused)
        {
            // refused with a message naming the key
        }
        try
        {
            GatewayConfiguration.context(Configuration.load(GatewayConfiguration.KEYS, FILE, Map.of(),
                new Properties()));
        }
        catch (final ConfigurationException refused)
        {
            // refused with a message naming the key
        }
    }

    private static Path file()
    {
        try
        {
            final Path file = Files.createTempFile("portask-fuzz", ".properties");
            file.toFile().deleteOnExit();
            return file;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
