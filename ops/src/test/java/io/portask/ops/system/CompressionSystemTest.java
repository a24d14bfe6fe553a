package io.portask.ops.system;

import io.portask.client.Admin;
import io.portask.client.Consumer;
import io.portask.client.ConsumerRecord;
import io.portask.client.PortaskException;
import io.portask.client.Producer;
import io.portask.client.TopicPartition;
import io.portask.protocol.BatchCompression;
import io.portask.protocol.Compression;
import io.portask.protocol.ErrorCode;
import io.portask.protocol.Frame;
import io.portask.protocol.RecordBatch;
import io.portask.protocol.RecordBatchWriter;
import io.portask.protocol.link.Requests;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.ErrorResponseDecoder;
import io.portask.protocol.sbe.FetchResponseDecoder;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import io.portask.protocol.sbe.MessageHeaderEncoder;
import io.portask.protocol.sbe.ProduceResponseDecoder;
import io.portask.protocol.sbe.StorageKind;
import io.portask.testsupport.BrokerProcess;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * zstd batches against a real broker process and gateway: a ZSTD producer's batches are stored and served
 * compressed (a raw fetch sees the attribute) and a consumer reads them back in order, across a restart; the
 * gateway's HTTP fetch decompresses too. A batch of garbage with a sound CRC is stored (the broker never
 * decompresses) and its reader gets CORRUPT_MESSAGE (SDK) or 502 (gateway), never a crash; a 2 GiB claim is
 * refused at produce.
 */
class CompressionSystemTest
{
    private static final int RECORDS = 2_000;

    @TempDir
    Path dir;

    @Test
    void shouldStoreAndServeCompressedBatchesAsSentAndReadThemBack() throws Exception
    {
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data")).start())
        {
            try (Admin admin = Admin.connect(broker.bootstrap()))
            {
                admin.createTopic("orders", 1, StorageKind.JOURNAL);
            }
            try (Producer producer = Producer.builder(broker.bootstrap()).lingerMs(5)
                .compression(Compression.ZSTD).build())
            {
                for (int i = 0; i < RECORDS; i++)
                {
                    producer.send(new TopicPartition("orders", 0), null, json(i).getBytes(StandardCharsets.UTF_8),
                        List.of());
                }
                producer.flush();
            }
            final double compressedShare = compressedRecordShare(broker.port(), "orders");
            assertTrue(compressedShare > 0.9, "records in zstd batches: " + compressedShare);
            assertEquals(expected(), consume(broker.bootstrap()));
            broker.stop();
            broker.start();
            assertEquals(expected(), consume(broker.bootstrap()), "after a restart, from the journal");
            try (BrokerProcess gateway = BrokerProcess.gateway(broker.dataDir(),
                "-Dportask.gateway.compression=zstd").start())
            {
                final HttpResponse<String> fetched = get(gateway.port(),
                    "/api/v1/topics/orders/partitions/0/records?offset=1999&limit=1");
                assertEquals(200, fetched.statusCode(), fetched.body());
                assertTrue(fetched.body().contains(json(1999).replace("\"", "\\\"")), fetched.body());

                assertEquals(201, post(gateway.port(), "/api/v1/topics", "{\"name\":\"web\",\"partitions\":1}")
                    .statusCode());
                final StringBuilder records = new StringBuilder("{\"records\":[");
                for (int i = 0; i < 50; i++)
                {
                    records.append(i > 0 ? "," : "").append("{\"value\":\"order ").append(i)
                        .append(" for ACME at 4200.25, account A-7\"}");
                }
                final HttpResponse<String> published = post(gateway.port(), "/api/v1/topics/web/records",
                    records.append("]}").toString());
                assertEquals(200, published.statusCode(), published.body());
                assertEquals(1.0, compressedRecordShare(broker.port(), "web"),
                    "the gateway's publish compresses with portask.gateway.compression=zstd");
                final HttpResponse<String> read = get(gateway.port(),
                    "/api/v1/topics/web/partitions/0/records?offset=49&limit=1");
                assertTrue(read.body().contains("order 49 for ACME"), read.body());
            }
        }
    }

    @Test
    void shouldStoreGarbageItCannotCheckAndFailOnlyItsReaders() throws Exception
    {
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("data")).start();
            RawConnection raw = new RawConnection(broker.port()))
        {
            try (Admin admin = Admin.connect(broker.bootstrap()))
            {
                admin.createTopic("bad", 1, StorageKind.JOURNAL);
            }
            final UnsafeBuffer garbage = garbageBatch(1_000);
            raw.send((buffer, header) -> Requests.produce("bad", 0, AckLevel.JOURNAL, garbage, 0,
                garbage.capacity()).encode(buffer, Frame.HEADER_LENGTH, 1) - MessageHeaderEncoder.ENCODED_LENGTH);
            assertEquals(ProduceResponseDecoder.TEMPLATE_ID, RawConnection.templateId(raw.receive()),
                "the broker cannot tell garbage from zstd without decompressing, which it never does");

            garbage.putInt(BatchCompression.UNCOMPRESSED_LENGTH_OFFSET, Integer.MAX_VALUE, Frame.BYTE_ORDER);
            RecordBatch.seal(garbage, 0, garbage.capacity());
            raw.send((buffer, header) -> Requests.produce("bad", 0, AckLevel.JOURNAL, garbage, 0,
                garbage.capacity()).encode(buffer, Frame.HEADER_LENGTH, 2) - MessageHeaderEncoder.ENCODED_LENGTH);
            final UnsafeBuffer refused = raw.receive();
            assertEquals(ErrorResponseDecoder.TEMPLATE_ID, RawConnection.templateId(refused), "a 2 GiB claim");
            assertEquals(ErrorCode.CORRUPT_MESSAGE, ErrorCode.get(new ErrorResponseDecoder()
                .wrapAndApplyHeader(refused, 0, new MessageHeaderDecoder().wrap(refused, 0)).errorCode()));

            try (Consumer consumer = Consumer.builder(broker.bootstrap()).build())
            {
                final TopicPartition tp = new TopicPartition("bad", 0);
                consumer.assign(tp);
                consumer.seek(tp, 0);
                final PortaskException error = assertThrows(PortaskException.class, () ->
                {
                    for (int i = 0; i < 50; i++)
                    {
                        consumer.poll(Duration.ofMillis(100));
                    }
                });
                assertEquals(ErrorCode.CORRUPT_MESSAGE, error.code(), error.getMessage());
            }
            try (BrokerProcess gateway = BrokerProcess.gateway(broker.dataDir()).start())
            {
                final HttpResponse<String> fetched = get(gateway.port(),
                    "/api/v1/topics/bad/partitions/0/records?offset=0");
                assertEquals(502, fetched.statusCode(), fetched.body());
                assertTrue(fetched.body().contains("\"error\":\"CORRUPT_MESSAGE\""), fetched.body());
            }
            try (Admin admin = Admin.connect(broker.bootstrap()))
            {
                assertTrue(admin.health() > 0, "the broker is fine");
            }
        }
    }

    /**
     * @return the share of the records of a raw fetch from offset 0 that are in zstd batches, as the broker serves
     *         them.
     */
    private static double compressedRecordShare(final int port, final String topic) throws IOException
    {
        try (RawConnection raw = new RawConnection(port))
        {
            raw.send((buffer, header) -> Requests.fetch(topic, 0, 0, 64 * 1024, 0)
                .encode(buffer, Frame.HEADER_LENGTH, 1) - MessageHeaderEncoder.ENCODED_LENGTH);
            final UnsafeBuffer reply = raw.receive();
            final FetchResponseDecoder decoder =
                new FetchResponseDecoder().wrapAndApplyHeader(reply, 0, new MessageHeaderDecoder().wrap(reply, 0));
            final UnsafeBuffer batches = new UnsafeBuffer(0, 0);
            decoder.wrapBatches(batches);
            final RecordBatch batch = new RecordBatch();
            int records = 0;
            int compressed = 0;
            for (int at = 0; at < batches.capacity(); at += batch.batchLength())
            {
                batch.wrap(batches, at, RecordBatch.batchLength(batches, at));
                records += batch.recordCount();
                compressed += RecordBatch.COMPRESSION_ZSTD == batch.compression() ? batch.recordCount() : 0;
            }
            return (double)compressed / records;
        }
    }

    private static List<String> consume(final String bootstrap)
    {
        final List<String> values = new ArrayList<>();
        try (Consumer consumer = Consumer.builder(bootstrap).build())
        {
            final TopicPartition tp = new TopicPartition("orders", 0);
            consumer.assign(tp);
            consumer.seek(tp, 0);
            final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (values.size() < RECORDS && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(200)))
                {
                    values.add(record.offset() + " " + record.valueAsString());
                }
            }
        }
        return values;
    }

    private static List<String> expected()
    {
        final List<String> values = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++)
        {
            values.add(i + " " + json(i));
        }
        return values;
    }

    private static String json(final int i)
    {
        return "{\"id\":" + i + ",\"symbol\":\"ACME\",\"side\":\"BUY\",\"qty\":" + (100 + i % 7) + "}";
    }

    /**
     * @return a batch flagged zstd whose frame is random bytes, with a plausible claim and a sound CRC.
     */
    private static UnsafeBuffer garbageBatch(final int frameBytes)
    {
        final UnsafeBuffer plain = new UnsafeBuffer(new byte[256]);
        final RecordBatchWriter writer = new RecordBatchWriter().reset(plain, 0, plain.capacity());
        writer.append(1_700_000_000_000L, null, "x".getBytes(StandardCharsets.UTF_8));
        writer.seal();
        final UnsafeBuffer batch = new UnsafeBuffer(new byte[BatchCompression.DATA_OFFSET + frameBytes]);
        batch.putBytes(0, plain, 0, RecordBatch.HEADER_LENGTH);
        batch.putShort(RecordBatch.ATTRIBUTES_OFFSET, (short)RecordBatch.COMPRESSION_ZSTD, Frame.BYTE_ORDER);
        batch.putInt(BatchCompression.UNCOMPRESSED_LENGTH_OFFSET, 4 * frameBytes, Frame.BYTE_ORDER);
        final byte[] random = new byte[frameBytes];
        new Random(5).nextBytes(random);
        batch.putBytes(BatchCompression.DATA_OFFSET, random);
        RecordBatch.seal(batch, 0, batch.capacity());
        return batch;
    }

    private static HttpResponse<String> post(final int port, final String path, final String body) throws Exception
    {
        try (HttpClient http = HttpClient.newHttpClient())
        {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static HttpResponse<String> get(final int port, final String path) throws Exception
    {
        try (HttpClient http = HttpClient.newHttpClient())
        {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        }
    }
}
