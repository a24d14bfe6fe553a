package io.portask.perf;

import io.portask.protocol.Frame;
import io.portask.protocol.link.Requests;
import io.portask.protocol.sbe.HealthResponseEncoder;
import io.portask.protocol.sbe.MessageHeaderEncoder;
import io.portask.testsupport.BrokerProcess;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code portask perf connections [--connections 10000,100000] [--sources 8] [--out DIR]}: what an idle client
 * connection costs the broker. For each count, a fresh broker process (the launcher's JVM flags, -Xmx512m, native
 * memory tracking on) takes that many TCP connections from this process, spread over loopback source addresses
 * 127.0.0.2.. so that more than one port range is available; each connection sends one Health request and reads the
 * answer, then stays idle. Before and after, the broker's live heap is measured from a class histogram (which runs
 * a full GC) and its resident memory from /proc; the report gives heap and RSS per connection and the classes that
 * grew, largest first. A count the open-files limit cannot hold is reported as skipped, with the limit.
 */
public final class ConnectionsFootprint
{
    private static final Pattern HISTOGRAM_LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");
    private static final Pattern TOTAL_LINE = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)\\s*$");
    private static final int HEALTH_RESPONSE_FRAME = Frame.HEADER_LENGTH + MessageHeaderEncoder.ENCODED_LENGTH +
        HealthResponseEncoder.BLOCK_LENGTH;

    private ConnectionsFootprint()
    {
    }

    /**
     * @param args options; see the class comment.
     * @throws Exception when a run fails.
     */
    public static void main(final String[] args) throws Exception
    {
        List<Integer> counts = List.of(10_000, 100_000);
        int sources = 8;
        Path out = Path.of("perf-results");
        for (int i = 0; i < args.length; i += 2)
        {
            final String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i])
            {
                case "--connections" -> counts = Arrays.stream(value.split(",")).map(Integer::valueOf)
                    .toList();
                case "--sources" -> sources = Integer.parseInt(value);
                case "--out" -> out = Path.of(value);
                default ->
                {
                    System.err.println("usage: portask perf connections [--connections N,M] [--sources S] " +
                        "[--out DIR]");
                    System.exit(2);
                }
            }
        }
        final Path dir = out.resolve("connections-" +
            LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        System.out.println(run(counts, sources, dir));
        System.out.println("written to " + dir.resolve("report.md"));
        System.exit(0);
    }

    /**
     * Measure each count on a fresh broker and write {@code report.md} (and native-memory diffs) into a folder.
     *
     * @param counts  connection counts.
     * @param sources loopback source addresses to spread them over.
     * @param dir     where the report goes.
     * @return the report.
     * @throws Exception when a broker or a connection fails.
     */
    static String run(final List<Integer> counts, final int sources, final Path dir) throws Exception
    {
        Files.createDirectories(dir);
        final StringBuilder report = new StringBuilder();
        report.append("# Broker memory per idle connection\n\n").append(conditions(sources)).append('\n');
        report.append("| connections | heap/conn (B) | RSS/conn (B) | anon RSS/conn (B) | heap before → after (MiB) |")
            .append(" RSS before → after (MiB) |\n|---|---|---|---|---|---|\n");
        final StringBuilder details = new StringBuilder();
        for (final int count : counts)
        {
            final long limit = openFilesLimit();
            if (count + 256 > limit)
            {
                report.append("| ").append(count).append(" | skipped: the open-files limit is ").append(limit)
                    .append(" (ulimit -n; the hard limit here) | | | | |\n");
                continue;
            }
            final Measurement measurement = measure(count, sources, dir);
            report.append(measurement.row());
            details.append(measurement.details());
        }
        final String text = report + "\n" + details;
        Files.writeString(dir.resolve("report.md"), text);
        return text;
    }

    private static String conditions(final int sources) throws IOException
    {
        return String.format(Locale.ROOT, "Conditions: %s, %d CPUs, broker JVM -Xmx512m with the launcher's flags, " +
            "JDK %s; connections from one client process over %d loopback source addresses, each after one " +
            "Health request/response; heap = live bytes from GC.class_histogram (full GC); RSS from " +
            "/proc/PID/status; open-files limit %d.%n", hostName(), Runtime.getRuntime().availableProcessors(),
            Runtime.version(), sources, openFilesLimit());
    }

    private static String hostName() throws IOException
    {
        final Path name = Path.of("/etc/hostname");
        return Files.exists(name) ? Files.readString(name).trim() : "host";
    }

    private static Measurement measure(final int count, final int sources, final Path dir) throws Exception
    {
        final Path data = Files.createTempDirectory("portask-connections");
        try (BrokerProcess broker = new BrokerProcess(data.resolve("data"), "-XX:NativeMemoryTracking=summary"))
        {
            broker.start();
            final Sample before = Sample.of(broker.pid());
            jcmd(broker.pid(), "VM.native_memory", "baseline");
            final List<SocketChannel> channels = new ArrayList<>(count);
            try
            {
                connect(channels, count, sources, broker.port());
                final Sample after = Sample.of(broker.pid());
                Files.writeString(dir.resolve("nmt-" + count + ".txt"), jcmd(broker.pid(), "VM.native_memory",
                    "summary.diff"));
                return new Measurement(count, before, after);
            }
            finally
            {
                for (final SocketChannel channel : channels)
                {
                    channel.close();
                }
            }
        }
    }

    private static void connect(final List<SocketChannel> channels, final int count, final int sources,
        final int port) throws IOException
    {
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
        final int length = Frame.wrap(frame, 0, Requests.health().encode(frame, Frame.HEADER_LENGTH, 1));
        final ByteBuffer request = frame.byteBuffer().duplicate().limit(length);
        final ByteBuffer response = ByteBuffer.allocateDirect(HEALTH_RESPONSE_FRAME);
        final InetSocketAddress broker = new InetSocketAddress("127.0.0.1", port);
        for (int i = 0; i < count; i++)
        {
            final SocketChannel channel = SocketChannel.open();
            channels.add(channel);
            channel.bind(new InetSocketAddress("127.0.0." + (2 + i % sources), 0));
            channel.connect(broker);
            channel.write(request.position(0));
            response.clear();
            while (response.hasRemaining())
            {
                if (channel.read(response) < 0)
                {
                    throw new IOException("the broker closed connection " + i);
                }
            }
        }
        final UnsafeBuffer last = new UnsafeBuffer(response.flip());
        if (!Frame.isCrcValid(last, 0, Frame.messageLength(last.getInt(Frame.LENGTH_OFFSET, Frame.BYTE_ORDER))))
        {
            throw new IOException("the broker's Health answer is not a valid frame");
        }
    }

    static String jcmd(final long pid, final String... command) throws IOException, InterruptedException
    {
        final List<String> line = new ArrayList<>();
        line.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        line.add(Long.toString(pid));
        line.addAll(List.of(command));
        final Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return output;
    }

    static long openFilesLimit() throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/limits")))
        {
            if (line.startsWith("Max open files"))
            {
                return Long.parseLong(line.substring(26).trim().split("\\s+")[0]);
            }
        }
        return Long.MAX_VALUE;
    }

    /** The broker's memory at one moment. */
    private record Sample(long heapBytes, Map<String, Long> bytesByClass, long rssKb, long anonKb)
    {
        static Sample of(final long pid) throws Exception
        {
            final Map<String, Long> byClass = new HashMap<>();
            long total = 0;
            for (final String line : jcmd(pid, "GC.class_histogram").split("\n"))
            {
                final Matcher row = HISTOGRAM_LINE.matcher(line);
                final Matcher sum = TOTAL_LINE.matcher(line);
                if (row.matches())
                {
                    byClass.merge(row.group(3), Long.parseLong(row.group(2)), Long::sum);
                }
                else if (sum.matches())
                {
                    total = Long.parseLong(sum.group(2));
                }
            }
            long rss = 0;
            long anon = 0;
            for (final String line : Files.readAllLines(Path.of("/proc/" + pid + "/status")))
            {
                if (line.startsWith("VmRSS:"))
                {
                    rss = Long.parseLong(line.replaceAll("\\D", ""));
                }
                else if (line.startsWith("RssAnon:"))
                {
                    anon = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            return new Sample(total, byClass, rss, anon);
        }
    }

    /** Before and after one count of connections. */
    private record Measurement(int count, Sample before, Sample after)
    {
        String row()
        {
            return String.format(Locale.ROOT, "| %d | %d | %d | %d | %.1f → %.1f | %.1f → %.1f |%n", count,
                (after.heapBytes - before.heapBytes) / count, (after.rssKb - before.rssKb) * 1024 / count,
                (after.anonKb - before.anonKb) * 1024 / count, before.heapBytes / 1048576.0,
                after.heapBytes / 1048576.0, before.rssKb / 1024.0, after.rssKb / 1024.0);
        }

        String details()
        {
            final StringBuilder text = new StringBuilder("\n## Heap growth by class, ").append(count)
                .append(" connections (bytes per connection; classes that grew by at least 0.5 B each)\n\n")
                .append("| class | B/conn |\n|---|---|\n");
            after.bytesByClass.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.bytesByClass.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() >= count / 2)
                .sorted(Comparator.comparing(Map.Entry<String, Long>::getValue).reversed())
                .forEach(e -> text.append("| ").append(e.getKey()).append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f", e.getValue() / (double)count)).append(" |\n"));
            return text.toString();
        }
    }
}
