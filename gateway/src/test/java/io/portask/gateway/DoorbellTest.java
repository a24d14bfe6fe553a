package io.portask.gateway;

import io.portask.protocol.CounterIds;
import io.portask.protocol.IpcStreams;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's side of the broker's doorbell against a real Unix socket standing in for the broker: it rings only
 * while the broker's asleep counter reads 1, and gives up quietly where there is no doorbell.
 */
class DoorbellTest
{
    @TempDir
    Path dir;

    private final CountersManager counters = new CountersManager(
        new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)), new UnsafeBuffer(ByteBuffer.allocateDirect(8192)));

    @Test
    void shouldRingOnlyWhileTheBrokerSleeps() throws Exception
    {
        final AtomicCounter asleep = counters.newCounter("ipc asleep", CounterIds.IPC_ASLEEP);
        final ServerSocketChannel broker = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        broker.bind(UnixDomainSocketAddress.of(dir.resolve(IpcStreams.DOORBELL_FILE)));
        try (Doorbell doorbell = Doorbell.open(dir.toString(), counters))
        {
            final SocketChannel rung = broker.accept();
            assertTrue(doorbell.isOpen());
            doorbell.ring(); // awake: nothing written
            asleep.set(1);
            doorbell.ring();
            doorbell.ring();
            final ByteBuffer read = ByteBuffer.allocate(16);
            while (read.position() < 2)
            {
                rung.read(read);
            }
            rung.configureBlocking(false);
            assertEquals(0, rung.read(ByteBuffer.allocate(16)), "a ring per call while asleep, none awake");
            assertEquals(2, read.position());

            rung.close();
            broker.close();
            for (int i = 0; i < 100 && doorbell.isOpen(); i++)
            {
                doorbell.ring(); // the first writes may still be buffered; a broken pipe closes it
            }
            assertFalse(doorbell.isOpen(), "a broker gone closes the doorbell");
        }
    }

    @Test
    void shouldRingNothingWhereThereIsNoDoorbell()
    {
        try (Doorbell noCounter = Doorbell.open(dir.toString(), counters))
        {
            assertFalse(noCounter.isOpen());
            noCounter.ring();
        }
        counters.newCounter("ipc asleep", CounterIds.IPC_ASLEEP).set(1);
        try (Doorbell noSocket = Doorbell.open(dir.toString(), counters))
        {
            assertFalse(noSocket.isOpen());
            noSocket.ring();
        }
    }
}
