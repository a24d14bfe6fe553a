package io.portask.perf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The project's JVM flags, read from jvm.properties (packaged into the perf jar from the repository root).
 */
public final class JvmFlags
{
    private JvmFlags()
    {
    }

    /**
     * @return the flags of jvm.properties, one per element.
     */
    public static List<String> flags()
    {
        try (InputStream in = JvmFlags.class.getResourceAsStream("/jvm.properties"))
        {
            if (null == in)
            {
                throw new IllegalStateException("jvm.properties is not on the classpath");
            }
            final Properties properties = new Properties();
            properties.load(in);
            return Arrays.stream(properties.getProperty("portask.jvm.flags").trim().split("\\s+")).toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
