package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.TopicPartition;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.Frame;
import io.portask.protocol.RecordBatchWriter;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.ErrorResponseDecoder;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import io.portask.protocol.sbe.ProduceRequestEncoder;
import io.portask.protocol.sbe.ProduceResponseDecoder;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM under a pipelined flood of produce requests on a raw socket: the broker stops reading, answers every
 * request it had read (correlation ids without a gap), then sends one going-away notice (an error with correlation
 * id 0 and BROKER_STOPPING) and closes; after a restart the log holds exactly the records acknowledged — none
 * stored without its answer.
 */
class GracefulStopSystemTest
{
    @TempDir
    Path dir;

    @Test
    void shouldAnswerEveryRequestItReadThenSayItIsGoingAway() throws Exception
    {
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data")).start())
        {
            try (Admin admin = Admin.connect(broker.bootstrap()))
            {
                admin.createTopic("drain", 1, StorageKind.JOURNAL);
            }
            final UnsafeBuffer batch = new UnsafeBuffer(new byte[256]);
            final int sealed = sealOne(batch);
            long acked = 0;
            int notices = 0;
            Thread stopper = null;
            try (RawConnection connection = new RawConnection(broker.port()))
            {
                final AtomicBoolean done = new AtomicBoolean();
                final Thread sender = new Thread(() -> flood(connection, batch, sealed, done));
                sender.start();
                while (true)
                {
                    final UnsafeBuffer message;
                    try
                    {
                        message = connection.receive();
                    }
                    catch (final EOFException closed)
                    {
                        break;
                    }
                    final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(message, 0);
                    if (ProduceResponseDecoder.TEMPLATE_ID == header.templateId())
                    {
                        final long correlationId = new ProduceResponseDecoder()
                            .wrapAndApplyHeader(message, 0, header).correlationId();
                        assertEquals(0, notices, "nothing answered after the notice");
                        assertEquals(++acked, correlationId, "every request read is answered, in order");
                        if (500 == acked)
                        {
                            stopper = new Thread(() -> stopQuietly(broker));
                            stopper.start();
                        }
                    }
                    else
                    {
                        final ErrorResponseDecoder error = new ErrorResponseDecoder()
                            .wrapAndApplyHeader(message, 0, header);
                        assertEquals(0, error.correlationId(), error.toString());
                        assertEquals(ErrorCode.BROKER_STOPPING.code(), error.errorCode(), error.toString());
                        notices++;
                    }
                }
                done.set(true);
                sender.join();
            }
            assertTrue(null != stopper, "the flood reached 500 acks");
            stopper.join();
            assertEquals(1, notices, "one going-away notice before the close");
            assertTrue(broker.log().contains("Portask stopped"), broker.log());
            broker.start();
            try (Admin admin = Admin.connect(broker.bootstrap()))
            {
                assertEquals(acked, admin.offsets(new TopicPartition("drain", 0))[1],
                    "the log holds exactly the acknowledged records");
            }
        }
    }

    private static int sealOne(final UnsafeBuffer batch)
    {
        final RecordBatchWriter writer = new RecordBatchWriter().reset(batch, 0, batch.capacity());
        writer.append(System.currentTimeMillis(), null, "r".getBytes(StandardCharsets.UTF_8));
        return writer.seal();
    }

    private static void flood(final RawConnection connection, final UnsafeBuffer batch, final int length,
        final AtomicBoolean done)
    {
        try
        {
            for (long id = 1; !done.get(); id++)
            {
                final long correlationId = id;
                connection.send((buffer, header) -> new ProduceRequestEncoder()
                    .wrapAndApplyHeader(buffer, Frame.HEADER_LENGTH, header).correlationId(correlationId)
                    .partition(0).ackLevel(AckLevel.JOURNAL).topic("drain").putBatch(batch, 0, length)
                    .encodedLength());
            }
        }
        catch (final IOException closedByTheBroker)
        {
            // the broker went away: the flood ends
        }
    }

    private static void stopQuietly(final BrokerProcess broker)
    {
        try
        {
            broker.stop();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
