package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.ClientOptions;
import io.portask.client.Consumer;
import io.portask.client.PortaskException;
import io.portask.client.Producer;
import io.portask.client.TopicListing;
import io.portask.client.TopicPartition;
import io.portask.ops.PortaskCommands;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ACLs on a real broker process: a super user sets topics up; a writer may produce, a reader only consume; what a
 * principal may not do is refused NOT_AUTHORIZED naming who, what and which, writes nothing, and is counted; a
 * reader lists only what it may describe; a rule added while a connection is open applies to it within a second.
 */
class AclSystemTest
{
    @TempDir
    Path dir;

    @Test
    void shouldAllowWhatTheRulesAllowAndNothingElse() throws Throwable
    {
        final Path data = dir.resolve("data");
        for (final String user : List.of("admin", "writer", "reader"))
        {
            cli(user + "-pw\n", "users", "add", user, "--data-dir", data.toString());
        }
        assertEquals(0, cli("", "acls", "add", "allow", "writer", "produce", "topic", "orders", "--data-dir",
            data.toString()));
        cli("", "acls", "add", "allow", "reader", "consume", "topic-prefix", "ord", "--data-dir", data.toString());
        cli("", "acls", "add", "allow", "reader", "consume", "group", "billing", "--data-dir", data.toString());
        assertEquals(2, cli("", "acls", "add", "allow", "reader", "read", "topic", "orders", "--data-dir",
            data.toString()), "an unknown operation is a usage error");

        try (BrokerProcess broker = new BrokerProcess(data, "-Dportask.security.auth.required=true",
            "-Dportask.security.super.users=admin").start())
        {
            final ClientOptions plain = ClientOptions.of(broker.bootstrap()).withRequestTimeout(Duration.ofSeconds(5));
            try (Admin admin = Admin.connect(plain.withScram("admin", "admin-pw")))
            {
                admin.createTopic("orders", 1, StorageKind.JOURNAL);
                admin.createTopic("secrets", 1, StorageKind.JOURNAL);
            }
            final TopicPartition orders = new TopicPartition("orders", 0);
            try (Producer writer = Producer.builder(plain.withScram("writer", "writer-pw")).build();
                Producer reader = Producer.builder(plain.withScram("reader", "reader-pw")).build();
                Admin readerAdmin = Admin.connect(plain.withScram("reader", "reader-pw"));
                Consumer consumer = Consumer.builder(plain.withScram("reader", "reader-pw")).group("billing").build())
            {
                writer.sendSync("orders", "k", "allowed");
                denied(() -> reader.sendSync("orders", "k", "not allowed"),
                    "principal reader may not produce topic orders");
                // the producer learns the partition count first: a topic it may not touch is refused right there
                denied(() -> writer.sendSync("secrets", "k", "no"), "principal writer may not describe topic secrets");
                assertEquals(1, readerAdmin.offsets(orders)[1], "nothing written by the refused");

                consumer.assign(orders);
                assertEquals("allowed", BrokerSystemTest.pollUntil(consumer, 1).get(0).valueAsString());
                consumer.commit();
                denied(() -> readerAdmin.deleteTopic("orders"), "principal reader may not delete topic orders");
                denied(() -> readerAdmin.createTopic("mine", 1, StorageKind.JOURNAL),
                    "principal reader may not create topic mine");
                assertEquals(List.of("orders"), readerAdmin.listTopics().stream().map(TopicListing::name).toList(),
                    "only what it may describe");

                cli("", "acls", "add", "deny", "writer", "produce", "topic", "orders", "--data-dir", data.toString());
                awaitDenied(() -> writer.sendSync("orders", "k", "after the deny"));
                cli("", "acls", "remove", "deny", "writer", "produce", "topic", "orders", "--data-dir",
                    data.toString());
                awaitAllowed(() -> writer.sendSync("orders", "k", "allowed again"));
            }
            final ByteArrayOutputStream stat = new ByteArrayOutputStream();
            PortaskCommands.run(new String[]{ "stat", "--data-dir", data.toString() }, System.in,
                new PrintStream(stat, true, StandardCharsets.UTF_8), System.err);
            final String line = stat.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.startsWith("errors: NOT_AUTHORIZED ")).findFirst().orElseThrow();
            assertTrue(Long.parseLong(line.substring("errors: NOT_AUTHORIZED".length()).trim()) >= 5, line);
        }
    }

    private static void denied(final Executable action, final String message)
    {
        final PortaskException refused = assertThrows(PortaskException.class, action);
        assertEquals(ErrorCode.NOT_AUTHORIZED, refused.code(), refused.getMessage());
        assertEquals("NOT_AUTHORIZED (9): " + message, refused.getMessage());
    }

    private static void awaitDenied(final Executable action) throws Throwable
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (true)
        {
            try
            {
                action.execute();
                assertTrue(System.nanoTime() < deadline, "still allowed");
                Thread.sleep(50);
            }
            catch (final PortaskException ex)
            {
                assertEquals(ErrorCode.NOT_AUTHORIZED, ex.code(), ex.getMessage());
                return;
            }
        }
    }

    private static void awaitAllowed(final Executable action) throws Throwable
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (true)
        {
            try
            {
                action.execute();
                return;
            }
            catch (final PortaskException ex)
            {
                assertTrue(System.nanoTime() < deadline, "still denied: " + ex.getMessage());
                Thread.sleep(50);
            }
        }
    }

    private static int cli(final String stdin, final String... args)
    {
        return PortaskCommands.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            System.out, System.err);
    }
}
