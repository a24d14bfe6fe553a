package io.portask.transport;

import io.portask.core.ring.RingMessages;
import io.portask.protocol.CounterIds;
import io.portask.protocol.IpcStreams;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transport's loop sleeping in epoll when idle, with a one-minute tick so that only a wake-up can explain
 * work done within the test's waits: a TCP request wakes it, work that arrives with no file descriptor (as a
 * gateway's over Aeron IPC) waits until a byte is written to the doorbell socket, or another thread of the process
 * calls {@link IdleSleep#wake()}.
 */
class IdleSleepTest
{
    private static final long TICK_NS = TimeUnit.MINUTES.toNanos(1);

    @TempDir
    Path dir;

    private final OneToOneRingBuffer inbound = ring();
    private final CountersManager counters = new CountersManager(
        new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)), new UnsafeBuffer(ByteBuffer.allocateDirect(8192)));
    private final AtomicCounter asleep = counters.newCounter("ipc asleep", CounterIds.IPC_ASLEEP);
    private final AtomicCounter rings = counters.newCounter("rings", CounterIds.IPC_DOORBELL_RINGS);
    private final AtomicInteger mailbox = new AtomicInteger();
    private final AtomicInteger done = new AtomicInteger();
    private IdleSleep sleep;
    private TcpTransport transport;

    private static OneToOneRingBuffer ring()
    {
        return new OneToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect((1 << 20) + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    /** Work with no wake-up of its own: a number left in a mailbox, as a request offered on Aeron IPC. */
    private final class MailboxAgent implements Agent
    {
        public int doWork()
        {
            final int work = mailbox.getAndSet(0);
            done.addAndGet(work);
            return work;
        }

        public String roleName()
        {
            return "mailbox";
        }
    }

    @BeforeEach
    void start()
    {
        sleep = new IdleSleep(() -> true, TICK_NS, dir.resolve(IpcStreams.DOORBELL_FILE), asleep, rings);
        transport = TcpTransport.start(new TransportContext()
            .port(0)
            .inboundRing(inbound)
            .outboundRing(ring())
            .coLocatedAgent(new MailboxAgent())
            .idleSleep(sleep)
            .errorHandler(Throwable::printStackTrace)
            .bytesIn(counters.newCounter("in"))
            .bytesOut(counters.newCounter("out"))
            .inboundBackPressure(counters.newCounter("bp"))
            .framesRejected(counters.newCounter("rejected")));
    }

    @AfterEach
    void stop()
    {
        transport.close();
    }

    private static void awaitUntil(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.onSpinWait();
        }
    }

    @Test
    void shouldSleepUntilTheDoorbellRings() throws Exception
    {
        awaitUntil("the loop sleeps", () -> 1 == asleep.get());
        try (SocketChannel doorbell = SocketChannel.open(StandardProtocolFamily.UNIX))
        {
            doorbell.connect(UnixDomainSocketAddress.of(dir.resolve(IpcStreams.DOORBELL_FILE)));
            for (int i = 1; i <= 3; i++)
            {
                awaitUntil("the loop sleeps again", () -> 1 == asleep.get());
                mailbox.incrementAndGet();
                doorbell.write(ByteBuffer.wrap(new byte[]{ 1 }));
                final int expected = i;
                awaitUntil("the rung loop does the work", () -> expected == done.get());
            }
            awaitUntil("the rings are counted", () -> 3 == rings.get());
        }
    }

    @Test
    void shouldWakeForWorkHandedFromAnotherThreadOfTheProcess()
    {
        for (int i = 1; i <= 3; i++)
        {
            awaitUntil("the loop sleeps", () -> 1 == asleep.get());
            mailbox.incrementAndGet();
            sleep.wake();
            final int expected = i;
            awaitUntil("the woken loop does the work", () -> expected == done.get());
        }
        assertEquals(0, rings.get());
    }

    @Test
    void shouldWakeForATcpRequestWithoutARing() throws Exception
    {
        awaitUntil("the loop sleeps", () -> 1 == asleep.get());
        try (Socket socket = new Socket("127.0.0.1", transport.port()))
        {
            final OutputStream out = socket.getOutputStream();
            out.write(TcpTransportTest.healthFrame(7));
            out.flush();
            final int[] types = new int[2];
            final int[] count = { 0 };
            awaitUntil("the request reaches the core's ring", () ->
            {
                inbound.read((type, buffer, index, length) -> types[count[0]++] = type);
                return 2 == count[0];
            });
            assertEquals(RingMessages.CONNECTION_OPENED, types[0]);
            assertEquals(RingMessages.REQUEST, types[1]);
        }
        assertEquals(0, rings.get());
    }

}
