package io.portask.ops.system;

import io.portask.testsupport.BrokerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An application that depends on portask-client, run in a child JVM from the built SDK jar and its runtime
 * dependencies only, with no JVM flags at all (and JDK_JAVA_OPTIONS/JAVA_TOOL_OPTIONS cleared), on every JDK of 17
 * or later found on this machine: it creates a topic, produces zstd batches, fetches, subscribes to pushes and
 * describes the topic against a real broker; its output is its result line and, on JDK 24+, the JVM's one
 * native-access warning for zstd-jni.
 */
class SdkWithoutFlagsSystemTest
{
    @TempDir
    Path dir;

    @Test
    void shouldProduceFetchAndReceivePushesWithNoJvmFlags() throws Exception
    {
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data")).start())
        {
            final List<Path> jdks = jdks();
            assertTrue(jdks.size() >= 2, "a JDK 17 besides this one: " + jdks);
            for (final Path jdk : jdks)
            {
                final String topic = "sdk-" + jdks.indexOf(jdk);
                final String output = run(jdk, broker.bootstrap(), topic);
                assertTrue(output.contains("fetched 2 pushed 2 high watermark 2: hello from a flagless JVM, second"),
                    jdk + ": " + output);
                // JDK 24+ warns once when zstd-jni loads its library (JEP 472); a warning, never a failure
                for (final String line : output.strip().split("\n"))
                {
                    assertTrue(line.isBlank() || line.startsWith("fetched ") || line.startsWith("WARNING: "),
                        jdk + ": " + line);
                }
            }
        }
    }

    private String run(final Path jdk, final String bootstrap, final String topic)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(jdk.resolve("bin/java").toString());
        command.addAll(List.of("-cp", sdkClasspath(), "io.portask.client.SdkApp", bootstrap, topic));
        final Path out = Files.createTempFile(dir, "sdk", ".out");
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(out.toFile());
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        final Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the application finished");
        final String output = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    /**
     * @return the SDK jar (or its classes before packaging), its runtime dependencies, and the application.
     */
    private static String sdkClasspath() throws IOException
    {
        final Path client = Path.of("..", "client", "target").toAbsolutePath().normalize();
        final Path jar;
        try (Stream<Path> files = Files.list(client))
        {
            jar = files.filter(p -> p.getFileName().toString().matches("portask-client-.*\\d\\.jar|" +
                "portask-client-.*SNAPSHOT\\.jar")).findFirst().orElse(client.resolve("classes"));
        }
        return jar + File.pathSeparator + Files.readString(client.resolve("runtime-classpath.txt")).trim() +
            File.pathSeparator + client.resolve("test-classes");
    }

    /**
     * @return this JVM's JDK and every other JDK 17 or later under /usr/lib/jvm.
     */
    private static List<Path> jdks() throws IOException
    {
        final List<Path> jdks = new ArrayList<>();
        jdks.add(Path.of(System.getProperty("java.home")));
        final Path jvm = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvm))
        {
            try (Stream<Path> candidates = Files.list(jvm))
            {
                for (final Path candidate : candidates.sorted().toList())
                {
                    final String name = candidate.getFileName().toString();
                    if (Files.isExecutable(candidate.resolve("bin/java")) && !Files.isSymbolicLink(candidate) &&
                        name.matches(".*-(17|21|2[2-9])(-.*|$)|.*-(17|21|2[2-9])\\..*") &&
                        !candidate.toRealPath().equals(jdks.get(0).toRealPath()))
                    {
                        jdks.add(candidate);
                    }
                }
            }
        }
        return jdks;
    }
}
