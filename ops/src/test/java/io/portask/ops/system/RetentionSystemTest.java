package io.portask.ops.system;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.portask.client.Admin;
import io.portask.client.Consumer;
import io.portask.client.ConsumerRecord;
import io.portask.client.OffsetReset;
import io.portask.client.PortaskException;
import io.portask.client.Producer;
import io.portask.client.Retention;
import io.portask.client.TopicPartition;
import io.portask.ops.CountersFile;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.Frame;
import io.portask.protocol.link.Requests;
import io.portask.protocol.sbe.AdminAction;
import io.portask.protocol.sbe.MessageHeaderEncoder;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import io.portask.testsupport.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retention on a real broker process and a real journal with one file per second: files past a topic's
 * retention go while a producer keeps writing; the log start moves, is counted and served; a consumer below it
 * gets OFFSET_OUT_OF_RANGE naming it, or moves there with EARLIEST; a kill -9 in the middle (deletions under way)
 * and a restart keep the log start, every acked offset above it and dense offsets after it. Retention is altered on
 * a live topic through the SDK and the gateway (PATCH), and refused with a clear error when invalid. Written behind
 * to a real redis-server, a partition's stream is trimmed to the log start, and records retention deleted while
 * the write-behind was paused are skipped and counted, never read from a deleted file.
 */
class RetentionSystemTest
{
    private static final String[] FAST_RETENTION = {
        "-Dportask.journal.roll.cycle=test-secondly", "-Dportask.retention.check.interval.ms=100" };

    @TempDir
    Path dir;

    @Test
    void shouldDeleteExpiredFilesUnderLoadAndKeepTheLogStartAcrossAKill() throws Exception
    {
        final TopicPartition tp = new TopicPartition("logs", 0);
        long acked;
        long logStartBeforeKill;
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data"), FAST_RETENTION).start())
        {
            try (Admin admin = Admin.connect(broker.bootstrap()))
            {
                admin.createTopic("logs", 1, StorageKind.JOURNAL, Retention.of(Duration.ofSeconds(2)));
                assertEquals(2000, admin.describeTopic("logs").retention().ms());
            }
            acked = produceFor(broker.bootstrap(), tp, 0, Duration.ofSeconds(5));
            try (Admin admin = Admin.connect(broker.bootstrap()))
            {
                final long logStart = admin.offsets(tp)[0];
                assertTrue(logStart > 0, "retention moved the log start: " + logStart);
                assertTrue(cycleFiles().size() <= 5, "old files deleted: " + cycleFiles());
                assertTrue(counter(broker, "retention segments deleted") > 0);
                assertTrue(counter(broker, "retention bytes deleted") > 0);
                assertTrue(counter(broker, "log start: logs/0") > 0);
            }
            try (Consumer strict = Consumer.builder(broker.bootstrap()).autoOffsetReset(OffsetReset.NONE).build())
            {
                strict.assign(tp);
                strict.seek(tp, 0);
                final PortaskException gone = assertThrows(PortaskException.class,
                    () -> strict.poll(Duration.ofSeconds(5)));
                assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, gone.code());
                assertTrue(gone.getMessage().contains("before the log start"), gone.getMessage());
            }
            try (Consumer earliest = Consumer.builder(broker.bootstrap()).build())
            {
                earliest.assign(tp);
                earliest.seek(tp, 0);
                final List<ConsumerRecord> records = pollSome(earliest);
                assertTrue(records.get(0).offset() > 0, "moved to the log start: " + records.get(0).offset());
            }
            // kill -9 while the producer writes and retention deletes a file a second
            final Thread load = new Thread(() -> produceFor(broker.bootstrap(), tp, -1, Duration.ofSeconds(3)));
            load.start();
            Thread.sleep(1500);
            try (Admin admin = Admin.connect(broker.bootstrap()))
            {
                logStartBeforeKill = admin.offsets(tp)[0];
            }
            broker.kill();
            load.join();
            broker.start();
            try (Admin admin = Admin.connect(broker.bootstrap()))
            {
                final long[] offsets = admin.offsets(tp);
                assertTrue(offsets[0] >= logStartBeforeKill, offsets[0] + " >= " + logStartBeforeKill);
                assertTrue(offsets[1] >= acked, "every acked record is still counted: " + offsets[1]);
                try (Producer producer = Producer.builder(broker.bootstrap()).build())
                {
                    assertEquals(offsets[1], producer.sendSync("logs", null, "after the restart").offset());
                }
                assertDense(broker.bootstrap(), tp, admin.offsets(tp));
            }
        }
    }

    @Test
    void shouldApplyAnAlteredRetentionOnALiveTopicFromTheSdkAndTheGateway() throws Exception
    {
        final TopicPartition tp = new TopicPartition("kept", 0);
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data"), FAST_RETENTION).start();
            Admin admin = Admin.connect(broker.bootstrap()))
        {
            admin.createTopic("kept", 1, StorageKind.JOURNAL, Retention.of(Duration.ofDays(1)));
            produceFor(broker.bootstrap(), tp, 0, Duration.ofSeconds(3));
            assertEquals(0, admin.offsets(tp)[0], "a day's retention keeps everything");
            admin.alterRetention("kept", new Retention(1000, Retention.UNCHANGED));
            assertEquals(1000, admin.describeTopic("kept").retention().ms());
            assertEquals(Long.MAX_VALUE, admin.describeTopic("kept").retention().bytes(), "unchanged: no limit");
            awaitLogStartAbove(admin, tp, 0);

            try (BrokerProcess gateway = BrokerProcess.gateway(broker.dataDir()).start())
            {
                final HttpResponse<String> altered = patch(gateway.port(), "kept", "{\"retentionMs\":-1}");
                assertEquals(200, altered.statusCode(), altered.body());
                assertTrue(altered.body().contains("\"retentionMs\":604800000"), "back to the 7-day default: " +
                    altered.body());
                final HttpResponse<String> invalid = patch(gateway.port(), "kept", "{\"retentionMs\":-5}");
                assertEquals(400, invalid.statusCode(), invalid.body());
                assertTrue(invalid.body().contains("retention.ms must be positive"), invalid.body());
                assertEquals(404, patch(gateway.port(), "nope", "{\"retentionMs\":1000}").statusCode());
            }
        }
    }

    @Test
    void shouldTrimDragonflyStreamsToTheLogStartAndSkipWhatRetentionDeletedUnsent() throws Exception
    {
        final TopicPartition tp = new TopicPartition("wb", 0);
        try (RedisServer redis = new RedisServer(dir.resolve("redis"), null).start();
            BrokerProcess broker = new BrokerProcess(dir.resolve("data"), "-Dportask.journal.roll.cycle=test-secondly",
                "-Dportask.retention.check.interval.ms=100", "-Dportask.dragonfly.host=127.0.0.1",
                "-Dportask.dragonfly.port=" + redis.port()).start();
            Admin admin = Admin.connect(broker.bootstrap());
            RawConnection raw = new RawConnection(broker.port()))
        {
            admin.createTopic("wb", 1, StorageKind.JOURNAL, Retention.of(Duration.ofSeconds(2)));
            produceFor(broker.bootstrap(), tp, 0, Duration.ofSeconds(4));
            awaitLogStartAbove(admin, tp, 0);
            final long logStart = admin.offsets(tp)[0];
            awaitStreamStart(redis, logStart);

            raw.send((buffer, header) -> Requests.admin(AdminAction.PAUSE_WRITE_BEHIND)
                .encode(buffer, Frame.HEADER_LENGTH, 1) - MessageHeaderEncoder.ENCODED_LENGTH);
            raw.receive();
            final long pausedAt = admin.offsets(tp)[1];
            produceFor(broker.bootstrap(), tp, 0, Duration.ofSeconds(4));
            awaitLogStartAbove(admin, tp, pausedAt);
            raw.send((buffer, header) -> Requests.admin(AdminAction.RESUME_WRITE_BEHIND)
                .encode(buffer, Frame.HEADER_LENGTH, 2) - MessageHeaderEncoder.ENCODED_LENGTH);
            raw.receive();
            final long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (counter(broker, "write-behind records skipped (retention)") == 0 && System.nanoTime() < deadline)
            {
                Thread.sleep(50);
            }
            assertTrue(counter(broker, "write-behind records skipped (retention)") > 0);
            final long end = admin.offsets(tp)[1];
            while (counter(broker, "write-behind lag records: wb/0") > 0 && System.nanoTime() < deadline)
            {
                Thread.sleep(50);
            }
            assertEquals(end, streamEnd(redis), "the stream caught up with the journal after the skip");
        }
    }

    private static void awaitStreamStart(final RedisServer redis, final long logStart) throws InterruptedException
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long first = -1;
        while (System.nanoTime() < deadline)
        {
            first = streamFirstOffset(redis);
            if (first >= logStart)
            {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the stream still starts at " + first + ", below the log start " + logStart);
    }

    private static long streamFirstOffset(final RedisServer redis)
    {
        final List<StreamMessage<String, String>> first = streams(redis, Range.create("-", "+"), Limit.from(1));
        return first.isEmpty() ? -1 : Long.parseLong(first.get(0).getId().split("-")[0]);
    }

    private static long streamEnd(final RedisServer redis)
    {
        final List<StreamMessage<String, String>> last = streams(redis, Range.create("-", "+"), Limit.unlimited());
        final String[] id = last.get(last.size() - 1).getId().split("-");
        return Long.parseLong(id[0]) + Long.parseLong(id[1]);
    }

    private static List<StreamMessage<String, String>> streams(
        final RedisServer redis, final Range<String> range, final Limit limit)
    {
        final RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", redis.port()));
        try (StatefulRedisConnection<String, String> connection = client.connect())
        {
            return connection.sync().xrange("portask:stream:wb:0", range, limit);
        }
        finally
        {
            client.shutdown();
        }
    }

    private static long produceFor(final String bootstrap, final TopicPartition tp, final long first,
        final Duration duration)
    {
        long acked = 0;
        final long end = System.nanoTime() + duration.toNanos();
        try (Producer producer = Producer.builder(bootstrap).lingerMs(5).build())
        {
            while (System.nanoTime() < end)
            {
                for (int i = 0; i < 50; i++)
                {
                    producer.send(tp, null, ("record " + acked + i).getBytes(StandardCharsets.UTF_8), List.of());
                }
                producer.flush();
                acked += 50;
                Thread.sleep(20);
            }
        }
        catch (final PortaskException | InterruptedException ex)
        {
            if (first >= 0)
            {
                throw new AssertionError(ex);
            }
        }
        return acked;
    }

    private static List<ConsumerRecord> pollSome(final Consumer consumer)
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline)
        {
            final List<ConsumerRecord> records = consumer.poll(Duration.ofMillis(200));
            if (!records.isEmpty())
            {
                return records;
            }
        }
        throw new AssertionError("nothing polled");
    }

    /**
     * Every offset from the log start to the high watermark is there once, in order. Retention keeps deleting
     * while this reads: when it overtakes the reader (OFFSET_OUT_OF_RANGE), reading goes on from the new log start,
     * which must be past what was read.
     */
    private static void assertDense(final String bootstrap, final TopicPartition tp, final long[] offsets)
    {
        try (Consumer consumer = Consumer.builder(bootstrap).autoOffsetReset(OffsetReset.NONE).build();
            Admin admin = Admin.connect(bootstrap))
        {
            consumer.assign(tp);
            consumer.seek(tp, offsets[0]);
            long next = offsets[0];
            final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (next < offsets[1] && System.nanoTime() < deadline)
            {
                try
                {
                    for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(200)))
                    {
                        assertEquals(next, record.offset());
                        next++;
                    }
                }
                catch (final PortaskException ex)
                {
                    assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, ex.code(), ex.getMessage());
                    final long logStart = admin.offsets(tp)[0];
                    assertTrue(logStart > next, "retention moved the log start past " + next + ": " + logStart);
                    next = logStart;
                    consumer.seek(tp, next);
                }
            }
            assertEquals(offsets[1], next);
        }
    }

    private static void awaitLogStartAbove(final Admin admin, final TopicPartition tp, final long above)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (admin.offsets(tp)[0] <= above && System.nanoTime() < deadline)
        {
            Thread.sleep(50);
        }
        assertTrue(admin.offsets(tp)[0] > above, "log start moved past " + above);
    }

    private List<Path> cycleFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(dir.resolve("data/topics/logs/0")))
        {
            return files.filter(p -> p.toString().endsWith(".cq4")).toList();
        }
    }

    private static long counter(final BrokerProcess broker, final String label)
    {
        final Long value = CountersFile.read(broker.dataDir().resolve("aeron").toFile()).get(label);
        assertTrue(null != value, "no counter '" + label + "'");
        return value;
    }

    private static HttpResponse<String> patch(final int port, final String topic, final String body) throws Exception
    {
        try (HttpClient http = HttpClient.newHttpClient())
        {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/topics/" + topic))
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        }
    }
}
