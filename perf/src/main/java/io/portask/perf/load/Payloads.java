package io.portask.perf.load;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Record values for load runs, by kind: all zeros (the default, as before), JSON-like order records (what
 * compresses as real traffic does), or random bytes (what does not compress at all). A pool of 1,024 distinct
 * values of the run's size, reused in turn, so that generating them costs nothing during the measured phase.
 */
final class Payloads
{
    /** What the values hold. */
    enum Kind
    {
        ZEROS, JSON, RANDOM
    }

    private static final int POOL = 1024;

    private final byte[][] values;
    private int next;

    Payloads(final Kind kind, final int size)
    {
        values = new byte[Kind.ZEROS == kind ? 1 : POOL][];
        final Random random = new Random(42);
        for (int i = 0; i < values.length; i++)
        {
            values[i] = switch (kind)
            {
                case ZEROS -> new byte[size];
                case RANDOM ->
                {
                    final byte[] bytes = new byte[size];
                    random.nextBytes(bytes);
                    yield bytes;
                }
                case JSON -> json(i, size, random);
            };
        }
    }

    private static byte[] json(final int i, final int size, final Random random)
    {
        final StringBuilder text = new StringBuilder();
        final String[] symbols = {"ACME", "GLOBEX", "INITECH", "UMBRELLA", "HOOLI"};
        while (text.length() < size)
        {
            text.append("{\"id\":").append(i * 1000 + text.length()).append(",\"symbol\":\"")
                .append(symbols[random.nextInt(symbols.length)]).append("\",\"side\":\"")
                .append(random.nextBoolean() ? "BUY" : "SELL").append("\",\"qty\":").append(1 + random.nextInt(500))
                .append(",\"price\":").append(100 + random.nextInt(9000)).append('.').append(random.nextInt(100))
                .append(",\"account\":\"A-").append(random.nextInt(64)).append("\"}");
        }
        final byte[] bytes = new byte[size];
        System.arraycopy(text.toString().getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, size);
        return bytes;
    }

    /**
     * @return the next value of the pool (not a copy; one caller thread).
     */
    byte[] next()
    {
        final byte[] value = values[next];
        next = (next + 1) % values.length;
        return value;
    }
}
