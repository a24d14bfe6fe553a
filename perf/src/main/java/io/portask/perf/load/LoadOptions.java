package io.portask.perf.load;

import io.portask.client.ClientIdle;
import io.portask.core.ThreadingMode;
import io.portask.ops.IdleStrategyKind;
import io.portask.protocol.Compression;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.StorageKind;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The options of {@code portask perf load}, with their defaults. A value that does not parse is refused with a
 * message naming the option.
 */
final class LoadOptions
{
    String broker;
    ThreadingMode threading = ThreadingMode.SHARED;
    IdleStrategyKind idle = IdleStrategyKind.BACKOFF;
    StorageKind storage = StorageKind.JOURNAL;
    AckLevel ack = AckLevel.JOURNAL;
    int size = 100;
    long rate = 10_000;
    boolean rateGiven;
    double durationS = 5;
    double warmupS = 1;
    int messages = 50_000;
    boolean messagesGiven;
    int producers = 1;
    int partitions = 1;
    int consumers = 1;
    StampConsumer.Via via = StampConsumer.Via.PUSH;
    int batchBytes = 16 * 1024;
    long lingerMs = 1;
    Compression compression = Compression.NONE;
    Payloads.Kind payload = Payloads.Kind.ZEROS;
    long retentionMs = -1;
    String rollCycle = "daily";
    int window = 10_000;
    long reloadEveryMs;
    /** Closed loop through the SDK's sendSync with this client idle mode, instead of raw frames; null for raw. */
    ClientIdle sdkIdle;
    int[] sizes = { 32, 256, 1024, 4096, 16384, 65536 };
    Path out = Path.of("perf-results");
    boolean profile;

    static LoadOptions parse(final String[] args, final int from)
    {
        final LoadOptions options = new LoadOptions();
        for (int i = from; i < args.length; i++)
        {
            final String name = args[i];
            if ("--profile".equals(name))
            {
                options.profile = true;
                continue;
            }
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException("option " + name + " needs a value");
            }
            options.set(name, args[++i]);
        }
        if (options.consumers > options.partitions)
        {
            throw new IllegalArgumentException("--consumers (" + options.consumers + ") must not exceed " +
                "--partitions (" + options.partitions + "): each partition has one consumer");
        }
        return options;
    }

    private void set(final String name, final String value)
    {
        try
        {
            switch (name)
            {
                case "--broker" -> broker = value;
                case "--threading" -> threading = ThreadingMode.valueOf(constant(value));
                case "--idle" -> idle = IdleStrategyKind.valueOf(constant(value));
                case "--storage" -> storage = StorageKind.valueOf(constant(value));
                case "--ack" -> ack = AckLevel.valueOf(constant(value));
                case "--size" -> size = positive(Integer.parseInt(value));
                case "--rate" ->
                {
                    rate = positive(Integer.parseInt(value));
                    rateGiven = true;
                }
                case "--duration" -> durationS = Double.parseDouble(value);
                case "--warmup" -> warmupS = Double.parseDouble(value);
                case "--messages" ->
                {
                    messages = positive(Integer.parseInt(value));
                    messagesGiven = true;
                }
                case "--producers" -> producers = positive(Integer.parseInt(value));
                case "--partitions" -> partitions = positive(Integer.parseInt(value));
                case "--consumers" -> consumers = positive(Integer.parseInt(value));
                case "--via" -> via = StampConsumer.Via.valueOf(constant(value));
                case "--batch-bytes" -> batchBytes = positive(Integer.parseInt(value));
                case "--linger-ms" -> lingerMs = Long.parseLong(value);
                case "--compression" -> compression = Compression.valueOf(constant(value));
                case "--payload" -> payload = Payloads.Kind.valueOf(constant(value));
                case "--retention-ms" -> retentionMs = positive(Integer.parseInt(value));
                case "--roll-cycle" -> rollCycle = value;
                case "--window" -> window = positive(Integer.parseInt(value));
                case "--reload-every-ms" -> reloadEveryMs = positive(Integer.parseInt(value));
                case "--sdk" -> sdkIdle = ClientIdle.valueOf(constant(value));
                case "--sizes" -> sizes = Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--out" -> out = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        catch (final IllegalArgumentException ex)
        {
            if (ex.getMessage() != null && ex.getMessage().startsWith("unknown option"))
            {
                throw ex;
            }
            throw new IllegalArgumentException("bad value for " + name + ": '" + value + "'", ex);
        }
    }

    private static String constant(final String value)
    {
        return value.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private static int positive(final int value)
    {
        if (value < 1)
        {
            throw new IllegalArgumentException("must be at least 1");
        }
        return value;
    }

    /**
     * @param scenarioDefault the scenario's own default.
     * @return {@code --rate} when given, else the scenario's default.
     */
    long rate(final long scenarioDefault)
    {
        return rateGiven ? rate : scenarioDefault;
    }

    /**
     * @return nanoseconds between messages at {@code --rate}.
     */
    long intervalNs()
    {
        return 1_000_000_000L / rate;
    }

    /**
     * @param scenarioDefault the scenario's own default.
     * @return {@code --messages} when given, else the scenario's default.
     */
    int messages(final int scenarioDefault)
    {
        return messagesGiven ? messages : scenarioDefault;
    }

    /**
     * @return messages the measured phase of an open-loop scenario sends, over all producers.
     */
    long scheduledMessages()
    {
        return Math.max(1, Math.round(rate * durationS));
    }

    /**
     * @return messages sent first and not recorded in an open-loop scenario.
     */
    long warmupMessages()
    {
        return Math.round(rate * warmupS);
    }
}
