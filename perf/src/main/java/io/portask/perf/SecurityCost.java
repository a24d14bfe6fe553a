package io.portask.perf;

import io.portask.client.Admin;
import io.portask.client.ClientOptions;
import io.portask.client.ClientTls;
import io.portask.client.Producer;
import io.portask.protocol.Frame;
import io.portask.protocol.auth.Scram;
import io.portask.protocol.link.RequestEncoder;
import io.portask.protocol.link.Requests;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import io.portask.testsupport.FreePorts;
import io.portask.testsupport.TestTls;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * What security costs, measured on real broker processes in one run ({@code ./portask perf security}):
 * <ol>
 *   <li>produce-ack latency (one in flight, closed loop, after a warm-up) and throughput (pipelined) of the SDK over
 *       plaintext and over TLS, with the OpenSSL engine and with the JDK's, each on its own broker; and the time a
 *       new TLS connection takes (TCP + TLS 1.3 handshake + a Health round trip);</li>
 *   <li>a brute-force loop: a paced authenticated producer's latency (corrected for coordinated omission: each
 *       send timed from when it should have started) alone, then while one address makes {@code --logins} bad
 *       SCRAM logins on new connections as fast as it can (no PBKDF2 on its side: the cheapest attack).</li>
 * </ol>
 * Options: {@code --sends N} (20000), {@code --logins N} (10000), {@code --rate R} sends/s of the paced producer
 * (2000), {@code --records N} for throughput (100000).
 */
public final class SecurityCost
{
    private static final String VALUE = "x".repeat(100);

    private SecurityCost()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        int sends = 20_000;
        int logins = 10_000;
        int rate = 2_000;
        int records = 100_000;
        for (int i = 0; i < args.length; i += 2)
        {
            final int value = Integer.parseInt(args[i + 1]);
            switch (args[i])
            {
                case "--sends" -> sends = value;
                case "--logins" -> logins = value;
                case "--rate" -> rate = value;
                case "--records" -> records = value;
                default ->
                {
                    System.err.println("usage: portask perf security [--sends N] [--logins N] [--rate R] " +
                        "[--records N]");
                    System.exit(2);
                }
            }
        }
        final Path work = Files.createTempDirectory("portask-security-cost");
        final TestTls tls = TestTls.writeTo(work.resolve("tls"));
        final StringBuilder report = new StringBuilder(String.format(Locale.ROOT, "# Security cost%n%nConditions: " +
            "%d CPUs, JDK %s, broker and client on loopback (SHARED threading, backoff idle), 100-byte values to a " +
            "memory-only topic, ack JOURNAL (memory: answered when stored); latency one in flight over %,d sends " +
            "after 2,000 warm-up; throughput %,d async sends.%n%n| transport | p50 us | p99 us | p99.9 us | max us " +
            "| records/s |%n|---|---|---|---|---|---|%n", Runtime.getRuntime().availableProcessors(),
            Runtime.version(), sends, records));
        final StringBuilder handshakes = new StringBuilder();
        for (final String engine : new String[]{ "openssl", "jdk" })
        {
            final int tlsPort = FreePorts.next();
            try (BrokerProcess broker = new BrokerProcess(work.resolve("data-" + engine),
                tls.brokerProperties(tlsPort, "-Dportask.tls.engine=" + engine)).start())
            {
                final ClientOptions plain = ClientOptions.of(broker.bootstrap());
                final ClientOptions secure = ClientOptions.of("localhost:" + tlsPort)
                    .withTls(ClientTls.trusting(tls.ca()));
                try (Admin admin = Admin.connect(plain))
                {
                    admin.createTopic("cost", 1, StorageKind.MEMORY);
                }
                if ("openssl".equals(engine))
                {
                    report.append(row("plaintext", plain, sends, records));
                }
                report.append(row("TLS 1.3, " + engine, secure, sends, records));
                handshakes.append(handshakes(engine, secure, 200));
            }
        }
        report.append('\n').append(handshakes).append('\n').append(bruteForce(work, logins, rate));
        System.out.println(report);
        System.exit(0);
    }

    private static String row(final String name, final ClientOptions options, final int sends, final int records)
        throws Exception
    {
        final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final double perSecond;
        try (Producer producer = Producer.builder(options).build())
        {
            for (int i = 0; i < 2_000; i++)
            {
                producer.sendSync("cost", null, VALUE);
            }
            for (int i = 0; i < sends; i++)
            {
                final long startNs = System.nanoTime();
                producer.sendSync("cost", null, VALUE);
                latency.recordValue(System.nanoTime() - startNs);
            }
            final long startNs = System.nanoTime();
            CompletableFuture<?> last = null;
            for (int i = 0; i < records; i++)
            {
                last = producer.send("cost", null, VALUE);
            }
            producer.flush();
            last.get();
            perSecond = records * 1e9 / (System.nanoTime() - startNs);
        }
        return String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f | %,.0f |%n", name, us(latency, 50),
            us(latency, 99), us(latency, 99.9), latency.getMaxValue() / 1e3, perSecond);
    }

    private static String handshakes(final String engine, final ClientOptions secure, final int count)
    {
        final Histogram time = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        for (int i = 0; i < count; i++)
        {
            final long startNs = System.nanoTime();
            try (Admin admin = Admin.connect(secure))
            {
                admin.health();
            }
            time.recordValue(System.nanoTime() - startNs);
        }
        return String.format(Locale.ROOT, "New TLS connection (%s engine; TCP connect, TLS 1.3 handshake, one Health " +
            "round trip; %d of them): p50 %.2f ms, p99 %.2f ms, max %.2f ms.%n", engine, count, us(time, 50) / 1e3,
            us(time, 99) / 1e3, time.getMaxValue() / 1e6);
    }

    private static String bruteForce(final Path work, final int logins, final int rate) throws Exception
    {
        final Path data = work.resolve("data-auth");
        final Path users = data.resolve("security");
        io.portask.transport.SecurityStore.putUser(users, "writer", "writer-pw");
        try (BrokerProcess broker = new BrokerProcess(data, "-Dportask.security.auth.required=true",
            "-Dportask.security.acls.enabled=false").start())
        {
            final ClientOptions writer = ClientOptions.of(broker.bootstrap()).withScram("writer", "writer-pw");
            try (Admin admin = Admin.connect(writer))
            {
                admin.createTopic("cost", 1, StorageKind.MEMORY);
            }
            final int count = rate * 10;
            final Histogram alone = paced(writer, rate, count);
            final AtomicBoolean attacking = new AtomicBoolean(true);
            final int[] outcome = new int[3];
            final long[] attackNs = new long[1];
            final Thread attacker = new Thread(() -> attackNs[0] = attack(broker.port(), logins, attacking, outcome),
                "brute-force");
            attacker.start();
            final Histogram underAttack = paced(writer, rate, count);
            attacking.set(false);
            attacker.join();
            return String.format(Locale.ROOT, "Brute force (an authenticated producer paced at %,d sends/s for 10 s, " +
                "latency corrected for coordinated omission, alone and then while one address tries %,d bad SCRAM " +
                "logins on new connections as fast as it can):%n%n| producer | p50 us | p99 us | p99.9 us | max us |" +
                "%n|---|---|---|---|---|%n| alone | %.1f | %.1f | %.1f | %.1f |%n" +
                "| under attack | %.1f | %.1f | %.1f | %.1f |%n%n" +
                "p99 ratio %.2fx. The attacker made %,d attempts in %.1f s (%,.0f/s): %,d refused " +
                "AUTHENTICATION_FAILED, %,d refused THROTTLED unread, %,d broken connections.%n", rate, logins,
                us(alone, 50), us(alone, 99), us(alone, 99.9), alone.getMaxValue() / 1e3, us(underAttack, 50),
                us(underAttack, 99), us(underAttack, 99.9), underAttack.getMaxValue() / 1e3,
                us(underAttack, 99) / us(alone, 99), outcome[0] + outcome[1] + outcome[2], attackNs[0] / 1e9,
                (outcome[0] + outcome[1] + outcome[2]) * 1e9 / Math.max(1, attackNs[0]), outcome[0], outcome[1],
                outcome[2]);
        }
    }

    /**
     * Sends at a fixed rate, each timed from when it should have started.
     */
    private static Histogram paced(final ClientOptions options, final int rate, final int count) throws Exception
    {
        final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        try (Producer producer = Producer.builder(options).build())
        {
            for (int i = 0; i < 1_000; i++)
            {
                producer.sendSync("cost", null, VALUE);
            }
            final long intervalNs = 1_000_000_000L / rate;
            final long startNs = System.nanoTime();
            for (int i = 0; i < count; i++)
            {
                final long intendedNs = startNs + i * intervalNs;
                while (System.nanoTime() < intendedNs)
                {
                    LockSupport.parkNanos(Math.min(50_000, intendedNs - System.nanoTime()));
                }
                producer.sendSync("cost", null, VALUE);
                latency.recordValue(System.nanoTime() - intendedNs);
            }
        }
        return latency;
    }

    /**
     * Bad SCRAM logins, each on a new connection: client-first, then a client-final with a made-up proof.
     *
     * @return how long the attempts took.
     */
    private static long attack(final int port, final int logins, final AtomicBoolean going, final int[] outcome)
    {
        final long startNs = System.nanoTime();
        for (int i = 0; i < logins && going.get(); i++)
        {
            try (Socket socket = new Socket("127.0.0.1", port))
            {
                socket.setTcpNoDelay(true);
                final DataInputStream in = new DataInputStream(socket.getInputStream());
                final OutputStream out = socket.getOutputStream();
                final String nonce = Scram.nonce();
                final int first = exchange(out, in, "n,,n=writer,r=" + nonce);
                if (first != 0)
                {
                    outcome[first]++;
                    continue;
                }
                final int last = exchange(out, in, "c=biws,r=" + nonce + "x,p=" +
                    java.util.Base64.getEncoder().encodeToString(new byte[32]));
                outcome[0 == last ? 0 : last]++;
            }
            catch (final IOException ex)
            {
                outcome[2]++; // the broker closed it
            }
        }
        return System.nanoTime() - startNs;
    }

    /**
     * @return 0 for an AuthenticateResponse or AUTHENTICATION_FAILED, 1 for THROTTLED.
     */
    private static int exchange(final OutputStream out, final DataInputStream in, final String message)
        throws IOException
    {
        final RequestEncoder request =
            Requests.authenticate(Scram.MECHANISM, message.getBytes(StandardCharsets.UTF_8));
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final int frameLength = Frame.wrap(buffer, 0, request.encode(buffer, Frame.HEADER_LENGTH, 1));
        out.write(buffer.byteArray(), 0, frameLength);
        final byte[] header = new byte[Frame.HEADER_LENGTH];
        in.readFully(header);
        final byte[] body = new byte[Frame.messageLength(new UnsafeBuffer(header).getInt(0, Frame.BYTE_ORDER))];
        in.readFully(body);
        final UnsafeBuffer reply = new UnsafeBuffer(body);
        if (io.portask.protocol.sbe.ErrorResponseDecoder.TEMPLATE_ID != reply.getShort(2, Frame.BYTE_ORDER))
        {
            return 0;
        }
        final int code = new io.portask.protocol.sbe.ErrorResponseDecoder()
            .wrapAndApplyHeader(reply, 0, new io.portask.protocol.sbe.MessageHeaderDecoder()).errorCode();
        return io.portask.protocol.ErrorCode.THROTTLED.code() == code ? 1 : 0;
    }

    private static double us(final Histogram histogram, final double percentile)
    {
        return histogram.getValueAtPercentile(percentile) / 1e3;
    }
}
