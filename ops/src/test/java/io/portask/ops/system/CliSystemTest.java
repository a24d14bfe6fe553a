package io.portask.ops.system;

import io.portask.ops.PortaskCommands;
import io.portask.testsupport.BrokerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The portask command line against a real broker process running in DEDICATED mode (one thread per agent;
 * backoff idling so the test does not starve a small machine).
 */
class CliSystemTest
{
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(final String input, final String... args)
    {
        out.reset();
        err.reset();
        return PortaskCommands.run(args, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out()
    {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldRefuseANegativeOffset()
    {
        assertEquals(2, run("", "consume", "orders", "--offset", "-5", "--bootstrap", "127.0.0.1:1"));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("portask: --offset must be 0 or more, got -5"),
            err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldAdministerProduceAndConsumeThroughTheCommandLine() throws Exception
    {
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data"),
            "-Dportask.threading.mode=dedicated", "-Dportask.idle.strategy=backoff").start())
        {
            assertTrue(broker.log().contains("mode=DEDICATED"), broker.log());
            // the start log shows the placement, and the core thread runs where it says
            final java.util.regex.Matcher core = java.util.regex.Pattern
                .compile("portask-core\\s+(\\d+|-)\\s").matcher(broker.log());
            assertTrue(broker.log().contains("thread placement") && core.find(), broker.log());
            if (!"-".equals(core.group(1)))
            {
                assertEquals(core.group(1), broker.cpusAllowed("portask-core"), broker.log());
            }
            final String bootstrap = "--bootstrap=" + broker.bootstrap();
            assertEquals(0, run("", "topics", "create", "cli", "--partitions", "2", bootstrap));
            assertEquals(0, run("", "topics", "list", bootstrap));
            assertEquals("cli\tpartitions=2\tstorage=journal\n", out());

            assertEquals(0, run("alice:one\nbob:two\nalice:three\n", "produce", "cli", "--key-separator", ":",
                bootstrap));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("produced 3 of 3 records to cli"));

            assertEquals(0, run("", "consume", "cli", "--from-beginning", "--timeout-ms", "300", bootstrap));
            final String consumed = out();
            assertTrue(consumed.contains("alice\tone") && consumed.contains("bob\ttwo") &&
                consumed.contains("alice\tthree"), consumed);
            assertTrue(consumed.indexOf("alice\tone") < consumed.indexOf("alice\tthree"), consumed);

            assertEquals(0, run("", "consume", "cli", "--group", "g", "--timeout-ms", "300", bootstrap));
            assertEquals(3, out().lines().count());
            assertEquals(0, run("", "consume", "cli", "--group", "g", "--timeout-ms", "300", bootstrap));
            assertEquals("", out());

            assertEquals(1, run("", "topics", "describe", "nope", bootstrap));
            assertTrue(err.toString(StandardCharsets.UTF_8)
                .contains("UNKNOWN_TOPIC_OR_PARTITION (5): unknown topic 'nope'"));

            assertEquals(1, run("", "cluster", "status", bootstrap));
            assertTrue(out().contains("not a cluster: no node has portask.cluster.members"), out());
        }
    }

    @Test
    void shouldSayWhenNoNodeAnswersClusterStatus()
    {
        assertEquals(1, run("", "cluster", "status", "--bootstrap", "127.0.0.1:1"));
        assertTrue(out().contains("no node answered"), out());
    }
}
