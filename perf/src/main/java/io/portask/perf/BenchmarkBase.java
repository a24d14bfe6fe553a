package io.portask.perf;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What the microbenchmarks share: average time per operation in nanoseconds, 3 warm-up and 5 measured
 * iterations of a second, one fork. The fork gets the project's JVM flags from {@link Benchmarks}, which also
 * turns on JMH's gc profiler so every result carries its allocation per operation (gc.alloc.rate.norm). A
 * benchmark overrides an annotation where it measures something else (e.g. sample mode for percentiles).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public abstract class BenchmarkBase
{
}
