package io.portask.perf;

import io.portask.core.CoreAgent;
import io.portask.core.CoreContext;
import io.portask.core.acl.Acl;
import io.portask.core.acl.Acls;
import io.portask.core.ring.RingMessages;
import io.portask.protocol.CounterFactory;
import io.portask.protocol.Frame;
import io.portask.protocol.RecordBatch;
import io.portask.protocol.RecordBatchWriter;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.CreateTopicRequestEncoder;
import io.portask.protocol.sbe.MessageHeaderEncoder;
import io.portask.protocol.sbe.ProduceRequestEncoder;
import io.portask.protocol.sbe.StorageKind;
import io.portask.storage.DiskBrokerStore;
import io.portask.storage.DragonflyHandoff;
import io.portask.storage.DragonflyPartitionLog;
import io.portask.storage.StorageContext;
import io.portask.storage.spi.PartitionListener;
import io.portask.storage.spi.PartitionLog;
import io.portask.storage.spi.TopicDescriptor;
import org.agrona.BufferUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;

/**
 * The core agent's whole produce path, without the network: a Produce request of one 100-byte record taken off
 * the inbound ring, decoded, checked (batch CRC and structure), appended (memory-only, or journal with its memory
 * tier), counted, and answered into the outbound ring, which the benchmark drains. Run with {@code -prof gc}:
 * the hot path must allocate nothing (gc.alloc.rate.norm = 0).
 */
@State(Scope.Thread)
public class CoreProduceBenchmark extends BenchmarkBase
{
    @Param({ "MEMORY", "JOURNAL", "DRAGONFLY" })
    String storage;

    /** An idempotent producer's batches (producer fields, a new sequence each) or plain ones. */
    @Param({ "false", "true" })
    boolean idempotent;

    /** ACLs on (the connection allowed to produce by a rule, checked on every batch) or off. */
    @Param({ "false" })
    boolean acls;

    private final OneToOneRingBuffer inbound = ring();
    private final OneToOneRingBuffer outbound = ring();
    private final UnsafeBuffer request = new UnsafeBuffer(BufferUtil.allocateDirectAligned(1024, 64));
    private final MessageHandler drain = (type, buffer, index, length) -> count(length);
    private long drainedBytes;
    private int batchAt;
    private int batchLength;
    private int sequence;
    private File dir;
    private DiskBrokerStore store;
    private CoreAgent agent;
    private int requestLength;
    private final DragonflyHandoff handoff = new DragonflyHandoff(Frame.maxBatchLength(Frame.DEFAULT_MAX_FRAME_LENGTH));
    private final MessageHandler takeOver = (type, buffer, index, length) -> take(length);
    private DragonflyPartitionLog dragonfly;
    private long takenBytes;

    private static OneToOneRingBuffer ring()
    {
        return new OneToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect((16 << 20) + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    /**
     * Start a core agent on a fresh store with one topic, and encode the request.
     *
     * @throws Exception when the folder cannot be made.
     */
    @Setup(Level.Trial)
    public void setup() throws Exception
    {
        dir = Files.createTempDirectory("portask-core-bench").toFile();
        final CountersManager counters = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 20)), new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 16)));
        store = new DiskBrokerStore(new StorageContext().dataDir(dir).dragonflyHandoff(handoff)
            .counterFactory(CounterFactory.of(counters)));
        final Acls rules = !acls ? Acls.DISABLED : new Acls(true, Set.of(),
            List.of(Acl.parse("allow * produce topic-prefix ben"), Acl.parse("allow * create topic bench")));
        agent = new CoreAgent(new CoreContext()
            .acls(() -> rules)
            .partitionListener(new PartitionListener()
            {
                public void onPartitionOpened(
                    final TopicDescriptor topic,
                    final int partition,
                    final PartitionLog log,
                    final AtomicCounter highWatermark,
                    final AtomicCounter bytesAppended)
                {
                    if (log instanceof DragonflyPartitionLog opened)
                    {
                        dragonfly = opened;
                        opened.ready(0, "");
                    }
                }
            })
            .inboundRing(inbound)
            .outboundRing(outbound)
            .store(store)
            .counterFactory(CounterFactory.of(counters))
            .errorHandler(Throwable::printStackTrace));
        request.putLong(RingMessages.CONNECTION_ID_OFFSET, 1);
        final int create = new CreateTopicRequestEncoder()
            .wrapAndApplyHeader(request, RingMessages.MESSAGE_OFFSET, new MessageHeaderEncoder())
            .correlationId(1).partitions(1).storage(StorageKind.valueOf(storage)).retentionMs(-1).retentionBytes(-1)
            .topic("bench").encodedLength();
        inbound.write(RingMessages.REQUEST, request, 0,
            RingMessages.MESSAGE_OFFSET + MessageHeaderEncoder.ENCODED_LENGTH + create);
        agent.doWork();
        outbound.read(drain);

        final ProduceRequestEncoder encoder = new ProduceRequestEncoder()
            .wrapAndApplyHeader(request, RingMessages.MESSAGE_OFFSET, new MessageHeaderEncoder())
            .correlationId(2).partition(0).ackLevel(AckLevel.JOURNAL).topic("bench");
        final int lengthAt = encoder.limit();
        final RecordBatchWriter writer = new RecordBatchWriter().reset(request, lengthAt + 4, 512, idempotent);
        writer.append(1_700_000_000_000L, null, 0, 0, new UnsafeBuffer(new byte[100]), 0, 100);
        batchLength = idempotent ? writer.seal(1L, (short)0, 0) : writer.seal();
        batchAt = lengthAt + 4;
        request.putInt(lengthAt, batchLength, Frame.BYTE_ORDER);
        requestLength = lengthAt + 4 + batchLength;
    }

    /**
     * Close the agent and delete the store.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        agent.onClose();
        store.close();
        IoUtil.delete(dir, true);
    }

    private void take(final int length)
    {
        takenBytes += length;
    }

    private void count(final int length)
    {
        drainedBytes += length;
    }

    /**
     * One produce through the core. For a Dragonfly-only topic the benchmark also plays the write-behind agent's
     * part, without a network: it takes the batch from the handoff ring and confirms it, so the held ack is
     * answered in a second duty cycle.
     *
     * @return messages answered (1).
     */
    @Benchmark
    public int produce()
    {
        // each batch is a new one, as a producer's are: the next sequence (idempotent) and its CRC (both modes)
        if (idempotent)
        {
            request.putInt(batchAt + RecordBatch.BASE_SEQUENCE_OFFSET, ++sequence, Frame.BYTE_ORDER);
        }
        RecordBatch.seal(request, batchAt, batchLength);
        inbound.write(RingMessages.REQUEST, request, 0, requestLength);
        agent.doWork();
        if (null != dragonfly)
        {
            handoff.ring().read(takeOver);
            dragonfly.confirm(dragonfly.appendedNext());
            dragonfly.release(takenBytes);
            takenBytes = 0;
            agent.doWork();
        }
        return outbound.read(drain);
    }
}
