package io.portask.perf.load;

/**
 * Records and bytes moved over a measured time.
 *
 * @param name    what moved, e.g. "produced" or "consumed".
 * @param records records counted.
 * @param bytes   record value bytes counted.
 * @param nanos   the measured time.
 */
public record Throughput(String name, long records, long bytes, long nanos)
{
    /**
     * @return records per second.
     */
    public double recordsPerSecond()
    {
        return nanos <= 0 ? 0 : records * 1e9 / nanos;
    }

    /**
     * @return megabytes (10^6 bytes) of record values per second.
     */
    public double megabytesPerSecond()
    {
        return nanos <= 0 ? 0 : bytes * 1e3 / nanos;
    }
}
