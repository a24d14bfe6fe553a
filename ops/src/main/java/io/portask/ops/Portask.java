package io.portask.ops;

import io.portask.client.Admin;
import io.portask.client.ClientOptions;
import io.portask.client.ConsumerRecord;
import io.portask.client.PortaskException;
import io.portask.client.TopicDescription;
import io.portask.client.TopicListing;
import io.portask.config.Configuration;
import io.portask.config.ConfigurationException;
import io.portask.protocol.StorageKinds;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.StorageKind;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code portask} command line: {@code broker}, {@code topics}, {@code produce}, {@code consume},
 * {@code stat}.
 * Exit codes: 0 success, 1 the broker refused or failed, 2 a usage or configuration mistake.
 */
public final class Portask
{
    static final String USAGE = """
        usage: portask <command> [options]

          broker   [--config FILE]                 start a broker (settings: file < env < -D)
          gateway  [--config FILE]                 start an HTTP gateway to the broker of the same data folder
          topics   list | describe T | create T [--partitions N] [--storage journal|memory|dragonfly] | delete T
                   [--retention 7d|12h|30m|unlimited|default] [--retention-bytes 1g|unlimited|default] on create
                   alter T --retention ... and/or --retention-bytes ...   (a topic's retention, applied within 1 s)
          groups   list | describe GROUP                 consumer groups: members, owners, committed offsets, lag
                   reset-offsets GROUP --topic T --to-earliest|--to-latest|--to-offset N|--to-time 2026-12-02T10:00:00Z
                                                         (the group must be empty)
                   delete GROUP                          its committed offsets go   (the group must be empty)
          produce  TOPIC [--key K] [--key-separator S] [--partition P] [--ack none|memory|journal|sync]
                   [--compression none|zstd|adaptive]   one record per line of standard input
          consume  TOPIC [--partition P] [--offset N | --from-beginning] [--group G] [--max N]
                   [--follow] [--push] [--timeout-ms MS]
          stat     [--data-dir DIR | --aeron-dir DIR]   the broker's counters, read from its counters file
          errors   [--data-dir DIR] [--previous]        the broker's distinct error log (this run, or the last)
          storage  restore --from-dragonfly TOPIC[/PARTITION] [--config FILE]
                   rebuild missing journals from Dragonfly, with the broker stopped
          users    add NAME (password on stdin) | delete NAME | list   [--data-dir DIR]   SCRAM-SHA-256 users
          tokens   create PRINCIPAL [--ttl 12h] | list | revoke PRINCIPAL   [--data-dir DIR]   bearer tokens
          config   reload [--config FILE] [--data-dir DIR]   check the settings, then the broker reloads them (SIGHUP)
          tune     check [--config FILE] [--json]   audit this host for the placement of portask.cpu.* (exit 1: a FAIL)
                   profile [--config FILE]           systemd drop-in, sysctl and kernel command line for that placement
          cluster  status --bootstrap H1:P1,H2:P2,H3:P3  every node's role, leader and lag (exit 1: no agreed leader)
          acls     add|remove allow|deny PRINCIPAL|* OPERATION topic|topic-prefix|group|group-prefix NAME | list
                   (OPERATION: produce consume create delete alter describe admin; admin ... cluster)

          every client command takes --bootstrap HOST:PORT[,HOST:PORT...] (a cluster's nodes; default
          $PORTASK_BOOTSTRAP or localhost:7070) and --client-config FILE (or $PORTASK_CLIENT_CONFIG): tls.ca,
          tls.certificate, tls.key, username, password, token
        """;

    private Portask()
    {
    }

    /**
     * @param args the command and its options.
     */
    public static void main(final String[] args)
    {
        LogLevels.install();
        final int status = run(args, System.in, System.out, System.err);
        final String command = args.length > 0 ? args[0] : "";
        if (status != 0 || !("broker".equals(command) || "gateway".equals(command)))
        {
            System.exit(status);
        }
    }

    static int run(final String[] args, final java.io.InputStream in, final PrintStream out, final PrintStream err)
    {
        if (args.length == 0 || "help".equals(args[0]) || "--help".equals(args[0]))
        {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        try
        {
            return switch (args[0])
            {
                case "broker" -> broker(args, out);
                case "gateway" -> gateway(args, out);
                case "topics" -> Topics.run(args, out);
                case "groups" -> Groups.run(args, out);
                case "produce" -> produce(args, in, out, err);
                case "consume" -> consume(args, out);
                case "stat" -> Stat.run(args, out);
                case "errors" -> Errors.run(args, out);
                case "storage" -> StorageCommand.run(args, out, err);
                case "users" -> Security.users(args, in, out);
                case "tokens" -> Security.tokens(args, out);
                case "acls" -> Security.acls(args, out);
                case "config" -> ConfigReload.command(args, out);
                case "tune" -> Tune.run(args, out);
                case "cluster" -> ClusterStatus.run(args, out);
                default -> throw new Args.UsageException("unknown command '" + args[0] + "'");
            };
        }
        catch (final Args.UsageException | ConfigurationException ex)
        {
            err.println("portask: " + ex.getMessage());
            if (ex instanceof Args.UsageException)
            {
                err.print(USAGE);
            }
            return 2;
        }
        catch (final PortaskException | StartException ex)
        {
            err.println("portask: " + ex.getMessage());
            return 1;
        }
    }

    static String bootstrap(final Args args)
    {
        final String env = System.getenv("PORTASK_BOOTSTRAP");
        return args.option("bootstrap", null == env || env.isBlank() ? "localhost:7070" : env);
    }

    /**
     * @return where and how to connect: the bootstrap, and TLS from {@code --client-config} (or
     *         PORTASK_CLIENT_CONFIG) when given.
     */
    static ClientOptions clientOptions(final Args args)
    {
        final ClientOptions plain = ClientOptions.of(bootstrap(args));
        final String file = args.option("client-config", System.getenv("PORTASK_CLIENT_CONFIG"));
        return null == file || file.isBlank() ? plain : ClientConfigFile.apply(plain, Path.of(file));
    }

    static Configuration loadConfig(final Args args, final Set<String> keys)
    {
        final String file = args.option("config", System.getProperty("portask.config.file"));
        return Configuration.load(keys, null == file ? null : Path.of(file), System.getenv(), System.getProperties());
    }

    private static int broker(final String[] argv, final PrintStream out)
    {
        final BrokerContext ctx = BrokerConfiguration.context(
            loadConfig(new Args(argv, 1, Set.of("config"), Set.of()), BrokerConfiguration.KEYS));
        final Broker broker;
        try
        {
            broker = Broker.launch(ctx);
        }
        catch (final Exception ex)
        {
            // Netty rethrows a failed bind's checked IOException unchecked: catch everything a start can throw
            throw new StartException("broker", ctx.bindAddress() + ":" + ctx.port(), "portask.broker.port", ex);
        }
        broker.configSource(() -> BrokerConfiguration.context(
            loadConfig(new Args(argv, 1, Set.of("config"), Set.of()), BrokerConfiguration.KEYS)));
        ConfigReload.onHangUp(broker::reloadFromSource);
        return runUntilShutdown(broker, "Portask broker listening on " + ctx.bindAddress() + ":" + broker.port() +
            (-1 == broker.tlsPort() ? "" : ", TLS on " + ctx.bindAddress() + ":" + broker.tlsPort()) +
            " (" + ctx.threadingMode() + ", " + ctx.idleStrategy() + ", data in " + ctx.dataDir().getAbsolutePath() +
            ")", out);
    }

    private static int gateway(final String[] argv, final PrintStream out)
    {
        final java.util.function.Supplier<Configuration> source =
            () -> loadConfig(new Args(argv, 1, Set.of("config"), Set.of()), GatewayConfiguration.KEYS);
        final Configuration config = source.get();
        final io.portask.gateway.GatewayContext ctx = GatewayConfiguration.context(config);
        LogLevels.apply(LogLevels.settings(config));
        final io.portask.gateway.Gateway gateway;
        try
        {
            gateway = io.portask.gateway.Gateway.launch(ctx);
        }
        catch (final Exception ex)
        {
            // Netty rethrows a failed bind's checked IOException unchecked: catch everything a start can throw
            throw new StartException("gateway", ctx.bindAddress() + ":" + ctx.port(), "portask.gateway.port", ex);
        }
        ConfigReload.onHangUp(new GatewayReload(gateway, ctx, source)::reload);
        return runUntilShutdown(gateway, "Portask gateway listening on http://" + ctx.bindAddress() + ":" +
            gateway.port() + " (broker IPC in " + ctx.aeronDir() + ")", out);
    }

    /** Longest a graceful stop may take before the process halts. */
    private static final long STOP_TIMEOUT_MS = 20_000;

    private static int runUntilShutdown(final AutoCloseable service, final String banner, final PrintStream out)
    {
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            // SIGTERM or Ctrl-C: stop serving, finish and flush, then exit 0 (not 143) so a service manager sees a
            // clean stop; one that hangs is cut off after STOP_TIMEOUT_MS with exit 1
            final Thread watchdog = new Thread(() ->
            {
                final long deadlineNs = System.nanoTime() + STOP_TIMEOUT_MS * 1_000_000L;
                for (long now = System.nanoTime(); now < deadlineNs; now = System.nanoTime())
                {
                    java.util.concurrent.locks.LockSupport.parkNanos(deadlineNs - now);
                }
                System.err.println("portask: did not stop within " + STOP_TIMEOUT_MS + " ms, halting");
                Runtime.getRuntime().halt(1);
            }, "portask-stop-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            org.agrona.CloseHelper.quietClose(service);
            out.println("Portask stopped");
            out.flush();
            stopped.countDown();
            Runtime.getRuntime().halt(0);
        }, "portask-shutdown"));
        out.println(banner);
        out.flush();
        try
        {
            stopped.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static int produce(
        final String[] argv, final java.io.InputStream input, final PrintStream out, final PrintStream err)
    {
        final Args args = new Args(
            argv, 1, Set.of("bootstrap", "key", "key-separator", "partition", "ack", "compression"), Set.of());
        final String topic = args.positional(0, "TOPIC");
        final AckLevel ack = parseAck(args.option("ack", "journal"));
        final io.portask.protocol.Compression compression = parseCompression(args.option("compression", "none"));
        final String separator = args.option("key-separator", null);
        final int partition = args.intOption("partition", -1, 0, Integer.MAX_VALUE);
        final List<CompletableFuture<io.portask.client.RecordMetadata>> sent = new ArrayList<>();
        try (io.portask.client.Producer producer = io.portask.client.Producer.builder(clientOptions(args))
            .ackLevel(ack).lingerMs(5).compression(compression).build();
            BufferedReader in = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = in.readLine()))
            {
                String key = args.option("key", null);
                String value = line;
                if (null != separator && line.contains(separator))
                {
                    key = line.substring(0, line.indexOf(separator));
                    value = line.substring(line.indexOf(separator) + separator.length());
                }
                final byte[] keyBytes = null == key ? null : key.getBytes(StandardCharsets.UTF_8);
                final byte[] valueBytes = value.getBytes(StandardCharsets.UTF_8);
                sent.add(partition >= 0 ?
                    producer.send(new io.portask.client.TopicPartition(topic, partition), keyBytes, valueBytes,
                    List.of()) :
                    producer.send(topic, keyBytes, valueBytes, List.of()));
            }
            producer.flush();
        }
        catch (final java.io.IOException ex)
        {
            err.println("portask: cannot read standard input: " + ex.getMessage());
            return 1;
        }
        int failed = 0;
        for (final CompletableFuture<io.portask.client.RecordMetadata> future : sent)
        {
            try
            {
                final io.portask.client.RecordMetadata metadata = future.join();
                out.println(metadata.topic() + "/" + metadata.partition() + "@" + metadata.offset());
            }
            catch (final java.util.concurrent.CompletionException ex)
            {
                failed++;
                err.println("portask: record not stored: " + ex.getCause().getMessage());
            }
        }
        err.println("produced " + (sent.size() - failed) + " of " + sent.size() + " records to " + topic);
        return 0 == failed ? 0 : 1;
    }

    private static int consume(final String[] argv, final PrintStream out)
    {
        final Args args = new Args(argv, 1, Set.of("bootstrap", "partition", "offset", "group", "max", "timeout-ms"),
            Set.of("from-beginning", "follow", "push"));
        final String topic = args.positional(0, "TOPIC");
        final int max = args.intOption("max", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
        final long timeoutMs = args.longOption("timeout-ms", 2_000);
        if (args.longOption("offset", 0) < 0)
        {
            throw new Args.UsageException("--offset must be 0 or more, got " + args.option("offset", null) +
                " (--from-beginning reads from each partition's log start)");
        }
        // an offset asked for is read or refused, never silently moved; a group's position moves to the log start
        final io.portask.client.Consumer.Builder builder = io.portask.client.Consumer.builder(clientOptions(args))
            .autoOffsetReset(null == args.option("offset", null) ?
            io.portask.client.OffsetReset.EARLIEST : io.portask.client.OffsetReset.NONE);
        if (null != args.option("group", null))
        {
            builder.group(args.option("group", null));
        }
        try (io.portask.client.Consumer consumer = builder.build();
            Admin admin = Admin.connect(clientOptions(args)))
        {
            final TopicDescription description = admin.describeTopic(topic);
            final int only = args.intOption("partition", -1, 0, description.partitions().size() - 1);
            for (final TopicDescription.PartitionInfo info : description.partitions())
            {
                if (only >= 0 && info.partition() != only)
                {
                    continue;
                }
                final io.portask.client.TopicPartition tp =
                    new io.portask.client.TopicPartition(topic, info.partition());
                final long start = args.flag("from-beginning") ? info.logStartOffset() :
                    args.longOption("offset", -2);
                if (args.flag("push"))
                {
                    consumer.subscribe(tp, -2 == start ? info.logStartOffset() : start);
                    continue;
                }
                consumer.assign(tp);
                if (start >= 0)
                {
                    consumer.seek(tp, start);
                }
            }
            return printRecords(consumer, out, max, timeoutMs, args.flag("follow"), null != args.option("group", null));
        }
    }

    private static int printRecords(
        final io.portask.client.Consumer consumer,
        final PrintStream out,
        final int max,
        final long timeoutMs,
        final boolean follow,
        final boolean commit)
    {
        int printed = 0;
        while (printed < max)
        {
            final List<ConsumerRecord> records = consumer.poll(Duration.ofMillis(timeoutMs));
            if (records.isEmpty() && !follow)
            {
                break;
            }
            for (final ConsumerRecord record : records)
            {
                if (printed++ >= max)
                {
                    break;
                }
                out.println(record.partition() + "@" + record.offset() + "\t" +
                    (null == record.key() ? "" : record.keyAsString() + "\t") + record.valueAsString());
            }
            out.flush();
            if (commit)
            {
                consumer.commit();
            }
        }
        return 0;
    }

    static AckLevel parseAck(final String value)
    {
        try
        {
            return AckLevel.valueOf(value.toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new Args.UsageException("--ack must be none, memory, journal, sync or quorum, got '" + value + "'");
        }
    }

    static io.portask.protocol.Compression parseCompression(final String value)
    {
        try
        {
            return io.portask.protocol.Compression.valueOf(value.toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new Args.UsageException("--compression must be none, zstd or adaptive, got '" + value + "'");
        }
    }

    static StorageKind parseStorage(final String value)
    {
        try
        {
            return StorageKinds.parse(value);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new Args.UsageException("--" + ex.getMessage());
        }
    }

    static String describe(final TopicListing topic)
    {
        return topic.name() + "\tpartitions=" + topic.partitions() + "\tstorage=" +
            StorageKinds.name(topic.storage());
    }
}
