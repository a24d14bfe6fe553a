package io.portask.perf.load;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The conditions a result was measured under, in the order they are printed: JDK, cores, threading mode, idle
 * strategy, pinning, message size, rate and whatever else the scenario sets. A figure without these is not a
 * figure.
 */
public final class Conditions
{
    private final Map<String, String> values = new LinkedHashMap<>();

    /**
     * @return conditions holding the machine's: JDK, OS and cores.
     */
    public static Conditions ofThisMachine()
    {
        return new Conditions()
            .with("jdk", Runtime.version().toString())
            .with("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
            .with("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    }

    /**
     * @param key   condition name, e.g. "idle".
     * @param value its value.
     * @return this.
     */
    public Conditions with(final String key, final String value)
    {
        values.put(key, value);
        return this;
    }

    /**
     * @param key condition name.
     * @return its value or null.
     */
    public String get(final String key)
    {
        return values.get(key);
    }

    /**
     * @return every condition in order, read-only.
     */
    public Map<String, String> asMap()
    {
        return Collections.unmodifiableMap(values);
    }

    /**
     * @return "key value, key value, ..." on one line.
     */
    public String describe()
    {
        final StringJoiner line = new StringJoiner(", ");
        values.forEach((key, value) -> line.add(key + " " + value));
        return line.toString();
    }
}
