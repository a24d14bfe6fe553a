package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.ClientOptions;
import io.portask.client.PortaskException;
import io.portask.ops.PortaskCommands;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.Frame;
import io.portask.protocol.auth.Scram;
import io.portask.protocol.auth.ScramClient;
import io.portask.protocol.link.RequestEncoder;
import io.portask.protocol.link.Requests;
import io.portask.protocol.sbe.AuthenticateResponseDecoder;
import io.portask.protocol.sbe.ErrorResponseDecoder;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Authentication on a real broker process that requires it: users (SCRAM-SHA-256) and tokens made with the CLI,
 * then what must be refused — a wrong password, an unknown user, requests before authenticating, a SCRAM
 * client-final replayed into another exchange, an expired token, a deleted user — each with its code, nothing
 * written, the failures counted; the right credentials work from the SDK and the CLI, and users added while the
 * broker runs work within a second.
 */
class AuthSystemTest
{
    @TempDir
    Path dir;

    @Test
    void shouldAdmitTheRightCredentialsOnlyAndCountTheRest() throws Exception
    {
        final Path data = dir.resolve("data");
        assertEquals(0, cli("s3cret\n", "users", "add", "writer", "--data-dir", data.toString()).status());
        final String token = cli("", "tokens", "create", "service-a", "--data-dir", data.toString()).out().trim();
        final String expired =
            cli("", "tokens", "create", "service-b", "--ttl", "1ms", "--data-dir", data.toString()).out().trim();
        assertTrue(token.startsWith("ptk_"), token);
        assertFalse(Files.readString(data.resolve("security/users")).contains("s3cret"), "no password at rest");
        assertFalse(Files.readString(data.resolve("security/tokens")).contains(token), "no token at rest");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(data.resolve("security/users"))));

        try (BrokerProcess broker = new BrokerProcess(data, "-Dportask.security.auth.required=true",
            "-Dportask.security.acls.enabled=false").start())
        {
            final ClientOptions plain = ClientOptions.of(broker.bootstrap()).withRequestTimeout(Duration.ofSeconds(5));
            try (Admin writer = Admin.connect(plain.withScram("writer", "s3cret")))
            {
                writer.createTopic("orders", 1, StorageKind.JOURNAL);
            }
            assertFailed(ErrorCode.AUTHENTICATION_FAILED, () -> Admin.connect(plain.withScram("writer", "wrong")));
            assertFailed(ErrorCode.AUTHENTICATION_FAILED, () -> Admin.connect(plain.withScram("nobody", "s3cret")));
            assertFailed(ErrorCode.AUTHENTICATION_FAILED, () -> Admin.connect(plain.withToken(expired)));
            try (Admin anonymous = Admin.connect(plain))
            {
                final PortaskException refused = assertThrows(PortaskException.class,
                    () -> anonymous.createTopic("sneaky", 1, StorageKind.JOURNAL));
                assertEquals(ErrorCode.AUTHENTICATION_REQUIRED, refused.code(), refused.getMessage());
            }
            assertReplayedClientFinalIsRefused(broker.port());
            try (Admin service = Admin.connect(plain.withToken(token)))
            {
                assertEquals(1, service.listTopics().size(), "nothing written by the refused: " +
                    service.listTopics());
            }

            cli("n3w\n", "users", "add", "reader", "--data-dir", data.toString());
            awaitAdmitted(() -> Admin.connect(plain.withScram("reader", "n3w")));
            cli("", "users", "delete", "writer", "--data-dir", data.toString());
            awaitRefused(() -> Admin.connect(plain.withScram("writer", "s3cret")));

            final Path clientConfig = dir.resolve("client.properties");
            Files.writeString(clientConfig, "username=reader\npassword=n3w\n");
            final Cli listed = cli("", "topics", "list", "--bootstrap", broker.bootstrap(), "--client-config",
                clientConfig.toString());
            assertEquals(0, listed.status(), listed.err());
            assertTrue(listed.out().contains("orders"));
            final Cli without = cli("", "topics", "list", "--bootstrap", broker.bootstrap());
            assertEquals(1, without.status());
            assertTrue(without.err().startsWith("portask: AUTHENTICATION_REQUIRED") &&
                1 == without.err().strip().lines().count(), without.err());

            assertThrottledAfterABurstOfFailures(plain);
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(data)), "the data folder is the broker's user's alone");
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(data.resolve("aeron"))), "and so is the Aeron directory");
            final String stat = cli("", "stat", "--data-dir", data.toString()).out();
            assertTrue(counter(stat, "authentication failures: SCRAM") >= 3, stat);
            assertTrue(counter(stat, "authentication failures: token") >= 1, stat);
            assertTrue(counter(stat, "authentication failures: request before authenticating") >= 1, stat);
            assertTrue(counter(stat, "authentication failures: throttled address") >= 1, stat);
        }
    }

    /**
     * One address failing again and again is turned away: first THROTTLED, then at accept (the connection closes
     * before anything is read), until its failures age out.
     */
    private static void assertThrottledAfterABurstOfFailures(final ClientOptions plain)
    {
        for (int attempt = 0; attempt < 500; attempt++)
        {
            try
            {
                Admin.connect(plain.withScram("reader", "guess-" + attempt)).close();
            }
            catch (final PortaskException ex)
            {
                if (ErrorCode.THROTTLED == ex.code() || ErrorCode.NETWORK_ERROR == ex.code())
                {
                    return;
                }
                assertEquals(ErrorCode.AUTHENTICATION_FAILED, ex.code(), ex.getMessage());
            }
        }
        throw new AssertionError("500 failed logins from one address and it was never throttled");
    }

    /**
     * A client-final recorded from one exchange, sent in another (whose server nonce differs), is refused.
     */
    private static void assertReplayedClientFinalIsRefused(final int port) throws Exception
    {
        final String recorded;
        try (RawConnection first = new RawConnection(port))
        {
            final ScramClient scram = new ScramClient("writer", "s3cret", Scram.nonce());
            final String serverFirst = payload(exchange(first, scram.clientFirst()));
            recorded = scram.clientFinal(serverFirst);
            assertEquals(AuthenticateResponseDecoder.TEMPLATE_ID, RawConnection.templateId(exchange(first, recorded)));
        }
        try (RawConnection replay = new RawConnection(port))
        {
            final ScramClient scram = new ScramClient("writer", "s3cret", Scram.nonce());
            exchange(replay, scram.clientFirst());
            final UnsafeBuffer answer = exchange(replay, recorded);
            assertEquals(ErrorResponseDecoder.TEMPLATE_ID, RawConnection.templateId(answer));
            assertEquals(ErrorCode.AUTHENTICATION_FAILED.code(), new ErrorResponseDecoder()
                .wrapAndApplyHeader(answer, 0, new MessageHeaderDecoder()).errorCode());
        }
    }

    private static UnsafeBuffer exchange(final RawConnection connection, final String message) throws Exception
    {
        final RequestEncoder request = Requests.authenticate(Scram.MECHANISM, message.getBytes(StandardCharsets.UTF_8));
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final int frameLength = Frame.wrap(buffer, 0, request.encode(buffer, Frame.HEADER_LENGTH, 1));
        final byte[] frame = new byte[frameLength];
        buffer.getBytes(0, frame);
        connection.sendRaw(frame);
        return connection.receive();
    }

    private static String payload(final UnsafeBuffer answer)
    {
        final AuthenticateResponseDecoder decoder =
            new AuthenticateResponseDecoder().wrapAndApplyHeader(answer, 0, new MessageHeaderDecoder());
        decoder.skipPrincipal();
        final byte[] bytes = new byte[decoder.payloadLength()];
        decoder.getPayload(bytes, 0, bytes.length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void assertFailed(final ErrorCode code, final Supplier<Admin> connect)
    {
        final PortaskException refused = assertThrows(PortaskException.class, () -> connect.get().close());
        assertEquals(code, refused.code(), refused.getMessage());
    }

    private static void awaitAdmitted(final Supplier<Admin> connect) throws InterruptedException
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true)
        {
            try
            {
                connect.get().close();
                return;
            }
            catch (final PortaskException ex)
            {
                assertTrue(System.nanoTime() < deadline, "not admitted: " + ex.getMessage());
                Thread.sleep(50);
            }
        }
    }

    private static void awaitRefused(final Supplier<Admin> connect) throws InterruptedException
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true)
        {
            try
            {
                connect.get().close();
                assertTrue(System.nanoTime() < deadline, "still admitted");
                Thread.sleep(50);
            }
            catch (final PortaskException ex)
            {
                assertEquals(ErrorCode.AUTHENTICATION_FAILED, ex.code());
                return;
            }
        }
    }

    private static long counter(final String stat, final String label)
    {
        return stat.lines().filter(line -> line.startsWith(label + " ")).findFirst()
            .map(line -> Long.parseLong(line.substring(label.length()).trim().replace(",", ""))).orElse(-1L);
    }

    private record Cli(int status, String out, String err)
    {
    }

    private static Cli cli(final String stdin, final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        final int status = PortaskCommands.run(args, in, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Cli(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
