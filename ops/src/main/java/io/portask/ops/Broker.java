package io.portask.ops;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.portask.core.AdminHandler;
import io.portask.core.CoreAgent;
import io.portask.core.CoreContext;
import io.portask.core.ThreadingMode;
import io.portask.protocol.CounterFactory;
import io.portask.protocol.CounterIds;
import io.portask.protocol.Frame;
import io.portask.protocol.sbe.AdminAction;
import io.portask.storage.DataDirectoryLock;
import io.portask.storage.DiskBrokerStore;
import io.portask.storage.StorageContext;
import io.portask.storage.spi.PartitionListener;
import io.portask.storage.writebehind.DragonflyContext;
import io.portask.storage.writebehind.WriteBehindAgent;
import io.portask.transport.IpcTransport;
import io.portask.transport.NettyThreads;
import io.portask.transport.SecurityStore;
import io.portask.transport.TcpTransport;
import io.portask.transport.TransportContext;
import io.portask.tuning.Placement;
import io.portask.tuning.ThreadRole;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The broker process assembled: an embedded Aeron media driver whose counters file carries every counter, a
 * distinct error log, the on-disk store, the core agent, and the TCP transport, mapped onto threads by the
 * {@link ThreadingMode}. {@link #close()} stops them in reverse order.
 * <p>
 * Threading: launch and close from one thread.
 */
public final class Broker implements AutoCloseable
{
    /** Name of the distinct error log file in the data folder. */
    public static final String ERROR_LOG_FILE = "broker-errors.dat";
    /** The longest a graceful stop waits for answers to requests already read. */
    public static final long DRAIN_TIMEOUT_MS = 5_000;
    /** The Redis client's threads (I/O, completions) in a placed broker: on the write-behind's CPU. */
    public static final String REDIS_IO_THREAD_NAME = "portask-redis";
    private static final int ERROR_LOG_BYTES = 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);

    private final BrokerContext ctx;
    private DataDirectoryLock lock;
    private MediaDriver driver;
    private Placement placement;
    private Aeron aeron;
    private MappedByteBuffer errorLogBuffer;
    private DistinctErrorLog errorLog;
    private AtomicCounter errorsRecorded;
    private DiskBrokerStore store;
    private CoreAgent core;
    private WriteBehindAgent writeBehind;
    private CounterFactory counters;
    private AgentRunner writeBehindRunner;
    private AgentRunner coreRunner;
    private AgentInvoker coreInvoker;
    private TcpTransport transport;
    private AclFile acls;
    private JvmCounters jvmCounters;
    private BrokerCluster cluster;
    private final LiveSettings live;

    private Broker(final BrokerContext ctx)
    {
        this.ctx = ctx;
        this.live = new LiveSettings(ctx);
    }

    /**
     * Start a broker.
     *
     * @param ctx what to start.
     * @return the running broker.
     */
    public static Broker launch(final BrokerContext ctx)
    {
        final Broker broker = new Broker(ctx);
        try
        {
            broker.start();
        }
        catch (final Exception | Error ex)
        {
            // Exception, not RuntimeException: Netty rethrows a failed bind's IOException unchecked
            broker.close();
            throw ex;
        }
        return broker;
    }

    /**
     * Conclude each component's context from the broker's, then start the agents: the media driver and the error
     * log first (every counter and error goes there), then storage, the core and the write-behind, then the
     * transports placed on threads as the threading mode says.
     */
    private void start()
    {
        final File dataDir = ctx.dataDir();
        lock = DataDirectoryLock.acquire(dataDir, "portask broker on port " + ctx.port());
        OwnerOnly.apply(dataDir);
        placement = ThreadingMode.DEDICATED == ctx.threadingMode() ? ctx.placement().plan(Path.of("/")) : null;
        if (null != placement)
        {
            LOG.info("{}", placement.describe().strip());
        }
        launchMediaDriver();
        OwnerOnly.apply(ctx.aeronDir());
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(ctx.aeronDir().getAbsolutePath()));
        counters = this::newCounter;
        openErrorLog(dataDir);

        final ManyToOneRingBuffer inbound = new ManyToOneRingBuffer(ringBuffer(ctx.ringBytes()));
        final OneToOneRingBuffer outbound = new OneToOneRingBuffer(ringBuffer(ctx.ringBytes()));
        final OneToOneRingBuffer ipcOutbound = new OneToOneRingBuffer(ringBuffer(ctx.ringBytes()));
        writeBehind = null == ctx.dragonfly() ? null : new WriteBehindAgent(dragonflyContext(dataDir));
        live.writeBehind(writeBehind);
        store = new DiskBrokerStore(storageContext(dataDir));
        acls = new AclFile(SecurityStore.folder(dataDir.toPath()), ctx.aclsEnabled(), ctx.superUsers());
        cluster = null == ctx.cluster() ? null :
            new BrokerCluster(ctx.cluster(), dataDir, ctx.maxFrameLength(), this::onError);
        core = new CoreAgent(coreContext(inbound, outbound, ipcOutbound));
        if (null != cluster)
        {
            cluster.start();
        }
        startWriteBehind();
        jvmCounters = new JvmCounters(counters);

        final TransportContext transportCtx = transportContext(inbound, outbound);
        final IpcTransport ipc = new IpcTransport(aeron, inbound, ipcOutbound,
            counters.newCounter(CounterIds.IPC_BACK_PRESSURE, "ipc back-pressure"),
            counters.newCounter(CounterIds.IPC_DROPPED, "ipc responses dropped"));
        placeAgents(transportCtx, ipc);
        transport = TcpTransport.start(transportCtx);
        if (null != writeBehind && null != transportCtx.idleSleep())
        {
            ctx.dragonfly().handoff().coreWaker(transportCtx.idleSleep()::wake);
        }
        LOG.info("portask broker up: {}:{} mode={} idle={} data={} aeron={} ({}) write-behind={}", ctx.bindAddress(),
            transport.port(), ctx.threadingMode(), ctx.idleStrategy(), dataDir.getAbsolutePath(),
            aeronDirectoryName(), null == driver ? "external driver" : "embedded driver", null == writeBehind ? "off" :
            ctx.dragonfly().host() + ":" + ctx.dragonfly().port());
    }

    private void launchMediaDriver()
    {
        if (ctx.aeronEmbedded())
        {
            driver = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(ctx.aeronDir().getAbsolutePath())
                .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
                .sharedThreadFactory(threads(ThreadRole.DRIVER))
                .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1_000, 1_000_000))
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .termBufferSparseFile(true)
                .ipcTermBufferLength(16 * 1024 * 1024)
                .printConfigurationOnStart(false));
        }
    }

    private DragonflyContext dragonflyContext(final File dataDir)
    {
        return ctx.dragonfly()
            .ioThreads(null == placement ? null :
                NettyThreads.fastThreadLocal(threads(ThreadRole.WRITE_BEHIND), REDIS_IO_THREAD_NAME))
            .dataDir(dataDir)
            .maxBatchLength(Frame.maxBatchLength(ctx.maxFrameLength()))
            .counterFactory(counters)
            .errorHandler(this::onError);
    }

    private StorageContext storageContext(final File dataDir)
    {
        return new StorageContext()
            .dataDir(dataDir)
            .maxFrameLength(ctx.maxFrameLength())
            .memoryPartitionBudgetBytes(ctx.memoryPartitionBytes())
            .tierPartitionBytes(ctx.tierPartitionBytes())
            .memoryTotalBytes(ctx.memoryTotalBytes())
            .journalRollCycle(ctx.journalRollCycle())
            .dragonflyHandoff(null == writeBehind ? null : ctx.dragonfly().handoff())
            .counterFactory(counters)
            .errorHandler(this::onError);
    }

    private CoreContext coreContext(
        final RingBuffer inbound, final RingBuffer outbound, final RingBuffer ipcOutbound)
    {
        return new CoreContext()
            .settings(live.core())
            .acls(acls::current)
            .inboundRing(inbound)
            .outboundRing(outbound)
            .ipcOutboundRing(ipcOutbound)
            .store(store)
            .counterFactory(counters)
            .errorHandler(this::onError)
            .partitionListener(null == writeBehind ? PartitionListener.NONE : writeBehind)
            .adminHandler(this::onAdmin)
            .maxFrameLength(ctx.maxFrameLength())
            .maxFetchWaitMs(ctx.maxFetchWaitMs())
            .retentionMs(ctx.retentionMs())
            .retentionBytes(ctx.retentionBytes())
            .retentionCheckIntervalMs(ctx.retentionCheckIntervalMs())
            .producerIdExpirationMs(ctx.producerIdExpirationMs())
            .replication(null == cluster ? null : cluster.link())
            .groupSessionTimeouts(ctx.groupMinSessionTimeoutMs(), ctx.groupMaxSessionTimeoutMs());
    }

    private TransportContext transportContext(final RingBuffer inbound, final RingBuffer outbound)
    {
        return new TransportContext()
            .bindAddress(ctx.bindAddress())
            .port(ctx.port())
            .maxFrameLength(ctx.maxFrameLength())
            .inboundRing(inbound)
            .outboundRing(outbound)
            .idleStrategy(live.newIdleStrategy())
            .idleSleep(live.idleSleep(counters, aeronDirectoryName()))
            .errorHandler(this::onError)
            .bytesIn(counters.newCounter(CounterIds.BYTES_IN, "bytes in"))
            .bytesOut(counters.newCounter(CounterIds.BYTES_OUT, "bytes out"))
            .inboundBackPressure(counters.newCounter(CounterIds.INBOUND_BACK_PRESSURE, "inbound back-pressure"))
            .framesRejected(counters.newCounter(
                CounterIds.ERRORS, null, -1, "FRAMES_REJECTED", "errors: frames rejected by transport"))
            .writeBufferHighWaterMark(ctx.maxPendingBytes())
            .writeTimeoutNs(TimeUnit.MILLISECONDS.toNanos(ctx.writeTimeoutMs()))
            .slowConnectionsClosed(counters.newCounter(CounterIds.SLOW_CONNECTIONS_CLOSED, "slow connections closed"))
            .tls(ctx.tls())
            .tlsHandshakesFailed(authFailures("TLS_HANDSHAKE", "TLS handshake"))
            .auth(ctx.auth(), authFailures("SCRAM", "SCRAM"), authFailures("TOKEN", "token"),
                authFailures("UNAUTHENTICATED_REQUEST", "request before authenticating"),
                authFailures("THROTTLED", "throttled address"));
    }

    private AtomicCounter authFailures(final String kind, final String label)
    {
        return counters.newCounter(CounterIds.AUTHENTICATION_FAILURES, null, -1, kind,
            "authentication failures: " + label);
    }

    private void startWriteBehind()
    {
        if (null != writeBehind)
        {
            writeBehindRunner = new AgentRunner(
                new BackoffIdleStrategy(10, 20, 1_000, 1_000_000), this::onError, null, writeBehind);
            AgentRunner.startOnThread(writeBehindRunner, threads(ThreadRole.WRITE_BEHIND));
            awaitDragonflyPartitions();
        }
    }

    /**
     * The threading mode: SHARED composes core and IPC with the TCP transport on its event loop thread; DEDICATED
     * gives the core and the transport threads of their own, placed on CPUs by {@link TuningConfiguration} (as are the
     * driver and the write-behind); INVOKER leaves the core to the caller (tests).
     */
    private void placeAgents(final TransportContext transportCtx, final IpcTransport ipc)
    {
        transportCtx.coLocatedAgent(ipc);
        switch (ctx.threadingMode())
        {
            case SHARED -> transportCtx.coLocatedAgent(new CompositeAgent(core, ipc));
            case DEDICATED ->
            {
                transportCtx.threadFactory(threads(ThreadRole.TRANSPORT));
                coreRunner = new AgentRunner(live.newIdleStrategy(), this::onError, null, core);
                AgentRunner.startOnThread(coreRunner, threads(ThreadRole.CORE));
            }
            case INVOKER -> coreInvoker = new AgentInvoker(this::onError, null, core);
            default -> throw new IllegalStateException("unknown threading mode " + ctx.threadingMode());
        }
    }

    /**
     * @return threads for the role: placed on their CPU in DEDICATED mode, else plain threads named after it.
     */
    private ThreadFactory threads(final ThreadRole role)
    {
        return null == placement ? runnable -> new Thread(runnable, role.threadName()) : placement.threadFactory(role);
    }

    private void openErrorLog(final File dataDir)
    {
        final File file = new File(dataDir, ERROR_LOG_FILE);
        if (file.exists())
        {
            final File previous = new File(dataDir, ERROR_LOG_FILE + ".prev");
            if (!file.renameTo(previous))
            {
                LOG.warn("could not keep the previous error log {}", file);
            }
        }
        errorLogBuffer = IoUtil.mapNewFile(file, ERROR_LOG_BYTES);
        errorLog = new DistinctErrorLog(new UnsafeBuffer(errorLogBuffer), SystemEpochClock.INSTANCE);
        errorsRecorded = counters.newCounter(CounterIds.ERRORS_RECORDED, "errors recorded");
    }

    /**
     * Counters in the media driver's counters file, keyed ({@code CounterKey}) and labelled.
     */
    private AtomicCounter newCounter(final int typeId, final DirectBuffer key, final int keyLength, final String label)
    {
        final UnsafeBuffer labelBuffer = new UnsafeBuffer(label.getBytes(StandardCharsets.UTF_8));
        return aeron.addCounter(typeId, key, 0, keyLength, labelBuffer, 0, labelBuffer.capacity());
    }

    /**
     * Give recovered Dragonfly-only partitions one Dragonfly time-out to learn where their streams end, so a broker
     * that starts beside a healthy Dragonfly serves them at once. Only the starting thread waits; past the time-out
     * they stay not ready (requests get a retriable error) until Dragonfly answers.
     */
    private void awaitDragonflyPartitions()
    {
        final long deadlineNs = System.nanoTime() + ctx.dragonfly().timeout().toNanos();
        while (writeBehind.partitionsNotReady() > 0 && System.nanoTime() - deadlineNs < 0)
        {
            LockSupport.parkNanos(1_000_000);
        }
        if (writeBehind.partitionsNotReady() > 0)
        {
            LOG.warn("{} Dragonfly-only partitions are not ready: Dragonfly at {}:{} has not answered; they answer " +
                "a retriable error until it does", writeBehind.partitionsNotReady(), ctx.dragonfly().host(),
                ctx.dragonfly().port());
        }
    }

    private CompletableFuture<String> onAdmin(final AdminAction action)
    {
        if (AdminAction.RELOAD_CONFIG == action)
        {
            return reloadFromSource();
        }
        if (null == writeBehind)
        {
            return AdminHandler.NONE.onAdmin(action);
        }
        switch (action)
        {
            case PAUSE_WRITE_BEHIND -> writeBehind.pause();
            case RESUME_WRITE_BEHIND -> writeBehind.resume();
            default -> throw new IllegalStateException("unsupported admin action " + action);
        }
        return CompletableFuture.completedFuture(writeBehind.isPaused() ? "write-behind paused" :
            "write-behind running");
    }

    private void onError(final Throwable error)
    {
        errorsRecorded.incrementRelease();
        if (!errorLog.record(error))
        {
            LOG.error("error log full; error not recorded", error);
        }
    }

    private static UnsafeBuffer ringBuffer(final int capacity)
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH));
    }

    /**
     * Take freshly loaded (and validated) settings: the reloadable ones go to the core at its next duty cycle.
     *
     * @return what was applied and which changed keys need a restart.
     */
    public String reload(final BrokerContext fresh)
    {
        return live.apply(fresh);
    }

    /**
     * @param source loads and validates the configuration as at start (file, environment, system properties);
     *               without one (an embedded broker) there is nothing to reload.
     * @return this.
     */
    public Broker configSource(final Supplier<BrokerContext> source)
    {
        live.source(source);
        return this;
    }

    /**
     * Reload the settings from the configuration source on the broker's reload thread; the core keeps serving.
     *
     * @return what was applied, or completed exceptionally with an {@link IllegalStateException} saying why nothing
     *         changed.
     */
    public CompletableFuture<String> reloadFromSource()
    {
        return live.reloadFromSource();
    }

    /**
     * @return the plaintext TCP port the broker listens on, or -1 when it has none.
     */
    public int port()
    {
        return transport.port();
    }

    /**
     * @return the TLS port the broker listens on, or -1 when it has none.
     */
    public int tlsPort()
    {
        return transport.tlsPort();
    }

    /**
     * @return the Aeron directory holding the counters file.
     */
    public String aeronDirectoryName()
    {
        return aeron.context().aeronDirectoryName();
    }

    /**
     * @return the core agent's invoker in INVOKER mode, else null.
     */
    public AgentInvoker coreInvoker()
    {
        return coreInvoker;
    }

    /**
     * Stop serving and release every file, in reverse order of start. The transport goes first and gracefully
     * (it stops reading, lets what was read be answered for up to {@link #DRAIN_TIMEOUT_MS}, tells each client it
     * is going away), while the core still runs.
     */
    public void close()
    {
        if (null != transport)
        {
            try
            {
                transport.goAway(DRAIN_TIMEOUT_MS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("graceful stop of the transport failed, closing at once", ex);
            }
        }
        CloseHelper.closeAll(writeBehindRunner, transport, coreRunner, coreInvoker);
        if (null == coreRunner && null == coreInvoker && null == transport && null != core)
        {
            core.onClose();
        }
        CloseHelper.closeAll(live, jvmCounters, cluster, acls, store, aeron, driver);
        if (null != errorLogBuffer)
        {
            IoUtil.unmap(errorLogBuffer);
        }
        CloseHelper.close(lock);
    }
}
