package io.portask.perf.load;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code portask perf load SCENARIO [options]}: drives a broker (in this JVM by default, or {@code --broker
 * 127.0.0.1:PORT}) through one scenario and writes the results, with the raw TCP ping-pong floor measured in the
 * same run and every latency given as a ratio to it.
 * <pre>
 *   closed-loop   one produce in flight, sent when the last is acked           --messages --size --ack
 *   open-loop     fixed-rate pipelined produce, latency from intended send time --rate --duration --partitions
 *   e2e           producer -> broker -> consumer, by push then by fetch        --rate --duration
 *   throughput    client SDK producer with batching, as fast as it goes       --producers --batch-bytes --linger-ms
 *   fan           N producers x M partitions x K consumers                     --producers --partitions --consumers
 *   size-sweep    one in flight per size, 32 B to 64 KiB                        --sizes --rate --messages
 * common: --threading shared|dedicated|invoker  --idle backoff|busy-spin|yielding  --storage journal|memory
 *         --ack memory|journal|sync  --size BYTES  --warmup SECONDS  --out DIR  --profile
 * </pre>
 */
public final class LoadGenerator
{
    /** A scenario's body. */
    interface ScenarioBody
    {
        void run(LoadRun run) throws Exception;
    }

    static final Map<String, ScenarioBody> SCENARIOS = Map.of(
        "closed-loop", Scenarios::closedLoop,
        "open-loop", Scenarios::openLoop,
        "e2e", Scenarios::endToEnd,
        "throughput", Scenarios::throughput,
        "fan", Scenarios::fan,
        "size-sweep", Scenarios::sizeSweep);

    private LoadGenerator()
    {
    }

    /**
     * @param args the scenario, then options; see the class comment.
     * @throws Exception when the run fails.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length < 1 || !SCENARIOS.containsKey(args[0]))
        {
            System.err.println("usage: portask perf load " + String.join("|", SCENARIOS.keySet().stream().sorted()
                .toList()) + " [options]  (see perf/README.md)");
            System.exit(2);
        }
        run(args[0], LoadOptions.parse(args, 1), System.out);
        System.exit(0);
    }

    /**
     * @param scenario scenario name.
     * @param options  options.
     * @param out      console.
     * @return the result, also written under {@code options.out}.
     * @throws Exception when the run fails.
     */
    static RunResult run(final String scenario, final LoadOptions options, final PrintStream out) throws Exception
    {
        final Path dir = ResultWriter.stamped(options.out, scenario);
        try (Target target = Target.open(options))
        {
            final RunResult result = new RunResult(scenario, target.conditions(options));
            try (LoadRun run = new LoadRun(target, options, result, out, dir))
            {
                SCENARIOS.get(scenario).run(run);
            }
            target.finishReloads(result.conditions());
            ResultWriter.write(result, dir, out);
            return result;
        }
    }
}
