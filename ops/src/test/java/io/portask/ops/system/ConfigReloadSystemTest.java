package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.ops.PortaskCommands;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Config reload on a real broker process: a new default retention in the file reaches a running broker through
 * {@code portask config reload} (which checks the file, then sends SIGHUP) and shows in DescribeTopic; a key that
 * cannot change while running is reported as needing a restart; a bad file is refused by the command with the
 * key named, and by the broker (SIGHUP sent anyway) with nothing changed.
 */
class ConfigReloadSystemTest
{
    @TempDir
    Path dir;

    @Test
    void shouldApplyReloadableKeysReportTheRestAndRefuseABadFile() throws Exception
    {
        final Path config = dir.resolve("portask.properties");
        Files.writeString(config, "portask.retention.ms=7d\n");
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data"), "-Dportask.config.file=" + config).start();
            Admin admin = Admin.connect(broker.bootstrap()))
        {
            admin.createTopic("r", 1, StorageKind.JOURNAL);
            assertEquals(Duration.ofDays(7).toMillis(), admin.describeTopic("r").retention().ms());

            Files.writeString(config, "portask.retention.ms=1h\nportask.memory.total.bytes=2g\n");
            final Cli reload = cli("config", "reload", "--config", config.toString(), "--data-dir",
                broker.dataDir().toString());
            assertEquals(0, reload.status(), reload.err());
            await(() -> Duration.ofHours(1).toMillis() == admin.describeTopic("r").retention().ms(),
                "the new default retention in effect");
            await(() -> log(broker).contains("needs a restart: portask.memory.total.bytes"),
                "the restart-only key named");

            Files.writeString(config, "portask.retention.ms=soon\n");
            final Cli refused = cli("config", "reload", "--config", config.toString(), "--data-dir",
                broker.dataDir().toString());
            assertEquals(2, refused.status());
            assertTrue(refused.err().contains("portask.retention.ms"), refused.err());
            new ProcessBuilder("kill", "-HUP", Long.toString(broker.pid())).start().waitFor();
            await(() -> log(broker).contains("config reload refused, nothing changed"), "the broker refuses it too");
            assertEquals(Duration.ofHours(1).toMillis(), admin.describeTopic("r").retention().ms());
        }
    }

    private static String log(final BrokerProcess broker)
    {
        try
        {
            return broker.log();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
            Thread.sleep(50);
        }
    }

    private record Cli(int status, String out, String err)
    {
    }

    private static Cli cli(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status = PortaskCommands.run(args, InputStream.nullInputStream(),
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Cli(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
