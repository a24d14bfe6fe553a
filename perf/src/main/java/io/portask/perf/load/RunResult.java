package io.portask.perf.load;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything one scenario run measured: its conditions, the floor, latency series and throughputs, and notes
 * such as which profiler event was used. Filled by the scenario's thread, then written out.
 */
public final class RunResult
{
    private final String scenario;
    private final Conditions conditions;
    private final List<Series> series = new ArrayList<>();
    private final List<Throughput> throughputs = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    /**
     * @param scenario   scenario name.
     * @param conditions what it ran under.
     */
    public RunResult(final String scenario, final Conditions conditions)
    {
        this.scenario = scenario;
        this.conditions = conditions;
    }

    /**
     * @param latency a series, floors first.
     * @return this.
     */
    public RunResult add(final Series latency)
    {
        series.add(latency);
        return this;
    }

    /**
     * @param throughput a throughput figure.
     * @return this.
     */
    public RunResult add(final Throughput throughput)
    {
        throughputs.add(throughput);
        return this;
    }

    /**
     * @param note a line printed under the results.
     * @return this.
     */
    public RunResult note(final String note)
    {
        notes.add(note);
        return this;
    }

    /**
     * @return the scenario name.
     */
    public String scenario()
    {
        return scenario;
    }

    /**
     * @return the conditions.
     */
    public Conditions conditions()
    {
        return conditions;
    }

    /**
     * @return latency series in the order added.
     */
    public List<Series> series()
    {
        return series;
    }

    /**
     * @param name a series name.
     * @return the series of that name, or null.
     */
    public Series series(final String name)
    {
        return series.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }

    /**
     * @return throughput figures in the order added.
     */
    public List<Throughput> throughputs()
    {
        return throughputs;
    }

    /**
     * @return notes in the order added.
     */
    public List<String> notes()
    {
        return notes;
    }
}
