package io.portask.ops.system;

import io.portask.ops.PortaskCommands;
import io.portask.testsupport.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The distribution as an operator gets it: built into a tarball, unpacked into an empty folder, and run from there
 * with nothing but a JDK (no Maven, no source tree): the broker starts from {@code bin/portask broker}, the CLI of
 * the tarball creates a topic, produces and consumes, and SIGTERM stops the broker cleanly (exit 0, "stopped").
 * Its config template names every key the broker and gateway read; its systemd units pass
 * {@code systemd-analyze verify} where that exists.
 */
class DistSystemTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRunFromTheUnpackedTarballAndStopCleanly() throws Exception
    {
        final Path root = Path.of(System.getProperty("portask.root"));
        final Path tarball = PortaskCommands.dist(root, dir.resolve("build"));
        final Path unpacked = Files.createDirectories(dir.resolve("opt"));
        assertEquals(0, new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", unpacked.toString())
            .inheritIO().start().waitFor());
        final Path home;
        try (var entries = Files.list(unpacked))
        {
            home = entries.findFirst().orElseThrow();
        }
        assertTemplateNamesEveryKey(home.resolve("config/portask.properties"));

        final int port = FreePorts.next();
        final Path log = dir.resolve("broker.log");
        final Process broker = launcher(home, port, "broker").redirectErrorStream(true)
            .redirectOutput(log.toFile()).start();
        try
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(log).contains("Portask broker listening"))
            {
                assertTrue(broker.isAlive() && System.nanoTime() < deadline, Files.readString(log));
                Thread.sleep(100);
            }
            assertEquals("created orders with 2 partition(s)",
                cli(home, port, "", "topics", "create", "orders", "--partitions", "2"));
            assertEquals("orders/1@0\norders/1@1", cli(home, port, "a\nb\n", "produce", "orders", "--partition", "1"));
            assertEquals("1@0\ta\n1@1\tb", cli(home, port, "", "consume", "orders", "--partition", "1",
                "--from-beginning"));
        }
        finally
        {
            broker.destroy(); // SIGTERM
        }
        assertTrue(broker.waitFor(30, TimeUnit.SECONDS), "stopped within 30 s");
        assertEquals(0, broker.exitValue(), Files.readString(log));
        assertTrue(Files.readString(log).contains("Portask stopped"), Files.readString(log));

        if (Files.isExecutable(Path.of("/usr/bin/systemd-analyze")))
        {
            final Process verify = new ProcessBuilder("systemd-analyze", "verify",
                home.resolve("systemd/portask-broker.service").toString(),
                home.resolve("systemd/portask-gateway.service").toString()).redirectErrorStream(true).start();
            final String said = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            verify.waitFor();
            // units name /opt/portask and the portask user, which this machine need not have: only syntax counts
            assertTrue(said.lines().noneMatch(line -> line.contains("Unknown key") ||
                line.contains("Unknown section") || line.contains("Failed to parse")), said);
        }
    }

    private static void assertTemplateNamesEveryKey(final Path template) throws IOException
    {
        final Set<String> named = new TreeSet<>();
        for (final String line : Files.readAllLines(template))
        {
            if (line.startsWith("#portask."))
            {
                named.add(line.substring(1, line.indexOf('=')));
            }
        }
        final Set<String> keys = new TreeSet<>(PortaskCommands.allConfigurationKeys());
        keys.removeAll(named);
        assertTrue(keys.isEmpty(), "keys missing from config/portask.properties: " + keys);
    }

    private static ProcessBuilder launcher(final Path home, final int port, final String... args)
    {
        final List<String> line = new ArrayList<>(List.of(home.resolve("bin/portask").toString()));
        line.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(line).directory(home.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("PORTASK_JAVA_OPTS", "-Dportask.broker.port=" + port + " -Dportask.ring.bytes=16m");
        builder.environment().remove("PORTASK_CLIENT_CONFIG");
        return builder;
    }

    private static String cli(final Path home, final int port, final String stdin, final String... args)
        throws Exception
    {
        final List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap", "127.0.0.1:" + port));
        final Process process = launcher(home, port, all.toArray(String[]::new)).start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        final String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), out + err);
        return out;
    }
}
