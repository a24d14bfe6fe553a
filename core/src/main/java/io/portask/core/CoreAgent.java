package io.portask.core;

import io.portask.protocol.Frame;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.util.function.Supplier;

/**
 * The core agent: the single writer of all topic, partition, offset and subscription state. Its duty cycle drains
 * requests from the inbound ring into the handler of each request kind, then lets the handlers finish what waits
 * on time or storage: held acks (SYNC acks group-committed once per cycle, acks waiting for records to become
 * visible), parked fetches and pushes to subscribers. It never blocks on a client or on the network; the one
 * blocking call is the journal flush that {@code SYNC} acks ask for.
 * <pre>
 *   inbound ring -> RequestAdapter -> ProduceHandler | FetchHandler | SubscriptionHandler
 *                                     | TopicHandler | GroupOffsetHandler | ConnectionHandler
 *                                  -> ResponseProxy -> outbound rings (TCP, Aeron IPC)
 * </pre>
 * Threading: {@link #doWork()} and every handler run on one thread, the agent's.
 */
public final class CoreAgent implements Agent
{
    private static final int REQUEST_LIMIT = 64;

    private final RingBuffer inbound;
    private final NanoClock nanoClock;
    private final CachedNanoClock cycleClock = new CachedNanoClock();
    private final CoreCounters counters;
    private final TopicTable topics = new TopicTable();
    private final Authorizer authorizer;
    private final TopicHandler topicHandler;
    private final Supplier<CoreSettings> settingsSource;
    private CoreSettings settings;
    private final RequestAdapter adapter;
    private final ProduceHandler produce;
    private final ReplicatedWrites replicated;
    private final FetchHandler fetch;
    private final SubscriptionHandler subscriptions;
    private final RetentionHandler retention;
    private final GroupOffsetHandler groups;
    private final ConnectionHandler connections;

    /**
     * Build the agent and its handlers, and recover every topic and committed offset from the store.
     *
     * @param ctx the context; concluded here.
     */
    public CoreAgent(final CoreContext ctx)
    {
        ctx.conclude();
        this.inbound = ctx.inboundRing();
        this.nanoClock = ctx.nanoClock();
        this.counters = new CoreCounters(ctx.counterFactory());
        final ResponseProxy proxy = new ResponseProxy(
            ctx.outboundRing(), ctx.ipcOutboundRing(), ctx.maxFrameLength(), counters);
        this.authorizer = new Authorizer(ctx.acls());
        final TopicLookup lookup = new TopicLookup(topics, proxy, counters, ctx.errorHandler(), authorizer);
        this.replicated = new ReplicatedWrites(
            ctx.replication(), topics, proxy, counters, ctx.errorHandler(), nanoClock, ctx.counterFactory());
        this.produce = new ProduceHandler(
            lookup, proxy, counters, ctx.errorHandler(), Frame.maxBatchLength(ctx.maxFrameLength()), ctx.store(),
            nanoClock, cycleClock, replicated);
        this.fetch = new FetchHandler(lookup, proxy, counters, ctx.maxFetchWaitMs(), cycleClock);
        this.subscriptions = new SubscriptionHandler(lookup, proxy, counters, ctx.errorHandler(), ctx.maxPushBytes());
        this.topicHandler = new TopicHandler(lookup, proxy, counters, ctx, produce, fetch, subscriptions, replicated);
        replicated.topicOpener(topicHandler::openCommitted);
        this.groups = new GroupOffsetHandler(lookup, proxy, ctx.store(), ctx.epochClock(), replicated);
        replicated.commitApplier(groups::applyCommitted);
        this.groups.coordinator().sessionTimeouts(ctx.groupMinSessionTimeoutMs(), ctx.groupMaxSessionTimeoutMs());
        this.connections = new ConnectionHandler(
            proxy, counters, ctx, topics, produce, fetch, subscriptions, authorizer);
        this.adapter = new RequestAdapter(
            produce, fetch, subscriptions, topicHandler, groups, connections, proxy, counters, authorizer);
        this.retention = new RetentionHandler(topics, counters, ctx);
        this.settings = CoreSettings.of(ctx);
        final CoreSettings initial = settings;
        this.settingsSource = null == ctx.settings() ? () -> initial : ctx.settings();
        cycleClock.update(nanoClock.nanoTime());
        topicHandler.recover();
        groups.recover();
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return "portask-core";
    }

    /**
     * {@inheritDoc}
     */
    public int doWork()
    {
        cycleClock.update(nanoClock.nanoTime());
        int workCount = inbound.controlledRead(adapter, REQUEST_LIMIT);
        workCount += produce.doWork();
        workCount += replicated.doWork();
        workCount += fetch.doWork();
        workCount += subscriptions.doWork();
        workCount += retention.doWork();
        workCount += groups.doWork();
        workCount += authorizer.doWork();
        workCount += connections.doWork();
        final CoreSettings latest = settingsSource.get();
        if (latest != settings)
        {
            apply(latest);
            workCount++;
        }
        return workCount;
    }

    private void apply(final CoreSettings latest)
    {
        settings = latest;
        retention.settings(latest);
        topicHandler.settings(latest);
        fetch.maxFetchWaitMs(latest.maxFetchWaitMs());
        groups.coordinator().sessionTimeouts(latest.groupMinSessionTimeoutMs(), latest.groupMaxSessionTimeoutMs());
    }

    /**
     * {@inheritDoc}
     */
    public void onClose()
    {
        topics.forEach(topic -> CloseHelper.closeAll(topic.partitions));
        replicated.close();
        CloseHelper.close(counters);
    }

    /**
     * Number of topics, for tests and health.
     *
     * @return topics that exist.
     */
    public int topicCount()
    {
        return topics.size();
    }
}
