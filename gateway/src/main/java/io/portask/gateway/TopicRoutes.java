package io.portask.gateway;

import io.portask.protocol.BatchCompression;
import io.portask.protocol.Compression;
import io.portask.protocol.CompressionPolicy;
import io.portask.protocol.CounterIds;
import io.portask.protocol.CounterKey;
import io.portask.protocol.Frame;
import io.portask.protocol.Partitioner;
import io.portask.protocol.RecordBatchWriter;
import io.portask.protocol.RecordReader;
import io.portask.protocol.StorageKinds;
import io.portask.protocol.buffer.SafeBuffer;
import io.portask.protocol.link.PartitionCounts;
import io.portask.protocol.link.Requests;
import io.portask.protocol.sbe.AckLevel;
import io.portask.protocol.sbe.AdminAction;
import io.portask.protocol.sbe.AdminResponseDecoder;
import io.portask.protocol.sbe.DescribeTopicResponseDecoder;
import io.portask.protocol.sbe.FetchResponseDecoder;
import io.portask.protocol.sbe.ListConnectionsResponseDecoder;
import io.portask.protocol.sbe.ListTopicsResponseDecoder;
import io.portask.protocol.sbe.ProduceResponseDecoder;
import io.portask.protocol.sbe.StorageKind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The topic and record routes: each HTTP request becomes SBE commands to the broker over the IPC link, and the
 * replies become JSON. Record keys, values and header values are UTF-8 text. Partition counts are cached for
 * publishing; a delete through this gateway or an UNKNOWN_TOPIC_OR_PARTITION answer drops the entry.
 * <p>
 * Threading: any thread; state is the link and a round-robin counter.
 */
final class TopicRoutes
{
    private static final int MAX_FETCH_BYTES = 1024 * 1024;
    private static final int COMPRESSION_THRESHOLD_BYTES = 1024;

    private final BrokerLink link;
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final PartitionCounts partitionCounts = new PartitionCounts(
        topic -> describeTopic(null, topic).thenApply(d -> d.getJsonArray("partitions").size()));

    private final ThreadLocal<CompressionPolicy> compression;

    TopicRoutes(final BrokerLink link, final Compression compression)
    {
        this.link = link;
        // one policy per event-loop thread, which lives as long as the gateway
        this.compression = ThreadLocal.withInitial(() ->
            new CompressionPolicy(compression, BatchCompression.DEFAULT_LEVEL, COMPRESSION_THRESHOLD_BYTES));
    }

    CompletableFuture<HttpResult> list(final String principal)
    {
        return link.send(principal, Requests.listTopics()).thenApply(reply ->
            {
                final ListTopicsResponseDecoder decoder =
                    new ListTopicsResponseDecoder().wrapAndApplyHeader(reply.buffer(), 0, reply.header());
                final JsonArray topics = new JsonArray();
                for (final ListTopicsResponseDecoder.TopicsDecoder topic : decoder.topics())
                {
                    final int partitions = topic.partitions();
                    final String storage = StorageKinds.name(topic.storage());
                    topics.add(new JsonObject().put("name", topic.name()).put("partitions", partitions)
                        .put("storage", storage));
                }
                return new HttpResult(200, new JsonObject().put("topics", topics));
            });
    }

    /**
     * {@code GET /api/v1/connections}: the broker's TCP clients and gateways.
     */
    CompletableFuture<HttpResult> connections(final String principal)
    {
        return link.send(principal, Requests.listConnections()).thenApply(reply ->
            {
                final ListConnectionsResponseDecoder decoder =
                    new ListConnectionsResponseDecoder().wrapAndApplyHeader(reply.buffer(), 0, reply.header());
                final JsonArray connections = new JsonArray();
                for (final ListConnectionsResponseDecoder.ConnectionsDecoder connection : decoder.connections())
                {
                    final long id = connection.connectionId();
                    final long openedAtMs = connection.openedAtMs();
                    final String kind = connection.kind().name().toLowerCase(Locale.ROOT);
                    connections.add(new JsonObject().put("id", id).put("kind", kind)
                        .put("remote", connection.remote()).put("openedAtMs", openedAtMs));
                }
                return new HttpResult(200, new JsonObject().put("connections", connections));
            });
    }

    /**
     * {@code POST /api/v1/admin/write-behind/{pause|resume}}.
     */
    CompletableFuture<HttpResult> admin(final String principal, final AdminAction action)
    {
        return link.send(principal, Requests.admin(action)).thenApply(reply ->
            new HttpResult(200, new JsonObject().put("state",
            new AdminResponseDecoder().wrapAndApplyHeader(reply.buffer(), 0, reply.header()).state())));
    }

    CompletableFuture<HttpResult> create(final String principal, final JsonObject body)
    {
        final String name = requireString(body, "name");
        final int partitions = body.getInteger("partitions", 1);
        final StorageKind storage = StorageKinds.parse(body.getString("storage", "journal"));
        final long retentionMs = retention(body, "retentionMs", -1);
        final long retentionBytes = retention(body, "retentionBytes", -1);
        return link.send(principal, Requests.createTopic(name, partitions, storage, retentionMs, retentionBytes))
            .thenApply(reply -> new HttpResult(201, new JsonObject().put("name", name).put("partitions", partitions)
            .put("storage", StorageKinds.name(storage))));
    }

    /**
     * Change a topic's retention: {"retentionMs": N, "retentionBytes": N}, -1 for the broker's default; a field
     * left out keeps its value.
     */
    CompletableFuture<HttpResult> alter(final String principal, final String topic, final JsonObject body)
    {
        if (!body.containsKey("retentionMs") && !body.containsKey("retentionBytes"))
        {
            throw new IllegalArgumentException("give retentionMs and/or retentionBytes (-1: the broker's default)");
        }
        final long retentionMs = retention(body, "retentionMs", Requests.UNCHANGED);
        final long retentionBytes = retention(body, "retentionBytes", Requests.UNCHANGED);
        return link.send(principal, Requests.alterTopic(topic, retentionMs, retentionBytes)).thenCompose(reply ->
            describe(principal, topic));
    }

    private static long retention(final JsonObject body, final String field, final long fallback)
    {
        final Object value = body.getValue(field);
        if (null == value)
        {
            return fallback;
        }
        if (!(value instanceof Number number) || number.longValue() != number.doubleValue())
        {
            throw new IllegalArgumentException("field '" + field + "' must be an integer (-1: the broker's default)");
        }
        return number.longValue();
    }

    CompletableFuture<HttpResult> describe(final String principal, final String topic)
    {
        return describeTopic(principal, topic).thenApply(description -> new HttpResult(200, description));
    }

    CompletableFuture<JsonObject> describeTopic(final String principal, final String topic)
    {
        return link.send(principal, Requests.describeTopic(topic)).thenApply(reply ->
            {
                final DescribeTopicResponseDecoder decoder =
                    new DescribeTopicResponseDecoder().wrapAndApplyHeader(reply.buffer(), 0, reply.header());
                final String storage = StorageKinds.name(decoder.storage());
                final JsonArray partitions = new JsonArray();
                for (final DescribeTopicResponseDecoder.PartitionsDecoder partition : decoder.partitions())
                {
                    partitions.add(new JsonObject().put("partition", partition.partition())
                        .put("logStartOffset", partition.logStartOffset())
                        .put("highWatermark", partition.highWatermark()));
                }
                final String name = decoder.topic();
                addWriteBehindLag(name, partitions);
                return new JsonObject().put("name", name).put("storage", storage)
                    .put("retentionMs", decoder.retentionMs()).put("retentionBytes", decoder.retentionBytes())
                    .put("partitions", partitions);
            });
    }

    private void addWriteBehindLag(final String topic, final JsonArray partitions)
    {
        final io.aeron.Aeron aeron = link.aeron();
        if (null == aeron || aeron.isClosed())
        {
            return;
        }
        aeron.countersReader().forEach((counterId, typeId, key, label) ->
        {
            if (CounterIds.WRITE_BEHIND_LAG_RECORDS == typeId && topic.equals(CounterKey.topic(key, label)))
            {
                final int partition = CounterKey.partition(key);
                if (partition >= 0 && partition < partitions.size())
                {
                    partitions.getJsonObject(partition).put("writeBehindLag",
                        aeron.countersReader().getCounterValue(counterId));
                }
            }
        });
    }

    CompletableFuture<HttpResult> delete(final String principal, final String topic)
    {
        partitionCounts.forget(topic);
        return link.send(principal, Requests.deleteTopic(topic)).thenApply(reply -> new HttpResult(204, null));
    }

    /**
     * Publish one record ({"key","value","headers","partition"}) or many ({"records": [...]}); answers each
     * record's partition and offset, in the order given.
     */
    CompletableFuture<HttpResult> publish(final String principal, final String topic, final JsonObject body)
    {
        final List<PublishRecord> records = PublishRecord.of(body);
        return partitionCounts.get(topic, name -> describeTopic(principal, name)
            .thenApply(d -> d.getJsonArray("partitions").size())).thenCompose(partitions ->
        {
            final Map<Integer, List<Integer>> byPartition = new LinkedHashMap<>();
            for (int i = 0; i < records.size(); i++)
            {
                byPartition.computeIfAbsent(partitionOf(records.get(i), partitions),
                    p -> new ArrayList<>()).add(i);
            }
            final long[] offsets = new long[records.size()];
            final int[] partitionOfRecord = new int[records.size()];
            final List<CompletableFuture<Void>> sends = new ArrayList<>();
            byPartition.forEach((partition, indexes) -> sends.add(
                produce(principal, topic, partition, records, indexes).thenAccept(baseOffset ->
                {
                    for (int i = 0; i < indexes.size(); i++)
                    {
                        offsets[indexes.get(i)] = baseOffset + i;
                        partitionOfRecord[indexes.get(i)] = partition;
                    }
                })));
            return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).whenComplete((done, error) ->
            {
                if (null != error && error.getCause() instanceof BrokerErrorException broker &&
                    io.portask.protocol.ErrorCode.UNKNOWN_TOPIC_OR_PARTITION == broker.code())
                {
                    partitionCounts.forget(topic);
                }
            }).thenApply(done ->
            {
                final JsonArray result = new JsonArray();
                for (int i = 0; i < offsets.length; i++)
                {
                    result.add(new JsonObject().put("partition", partitionOfRecord[i]).put("offset", offsets[i]));
                }
                return new HttpResult(200, new JsonObject().put("topic", topic).put("offsets", result));
            });
        });
    }

    private int partitionOf(final PublishRecord record, final int partitions)
    {
        if (null != record.partition())
        {
            final int partition = record.partition();
            if (partition < 0 || partition >= partitions)
            {
                throw new IllegalArgumentException("partition " + partition + " is outside [0, " + partitions + ")");
            }
            return partition;
        }
        if (null == record.key())
        {
            return Math.floorMod(roundRobin.getAndIncrement(), partitions);
        }
        return Partitioner.partition(record.key(), partitions);
    }

    private CompletableFuture<Long> produce(final String principal, final String topic, final int partition,
        final List<PublishRecord> records, final List<Integer> indexes)
    {
        int capacity = io.portask.protocol.RecordBatch.HEADER_LENGTH;
        for (final int index : indexes)
        {
            final PublishRecord record = records.get(index);
            int headerBytes = 0;
            for (final Map.Entry<String, byte[]> header : record.headers().entrySet())
            {
                headerBytes += RecordBatchWriter.headerLength(header.getKey().getBytes(StandardCharsets.UTF_8).length,
                    null == header.getValue() ? -1 : header.getValue().length);
            }
            capacity += RecordBatchWriter.recordLength(null == record.key() ? -1 : record.key().length,
                null == record.value() ? -1 : record.value().length, headerBytes);
        }
        if (capacity > Frame.maxBatchLength(Frame.DEFAULT_MAX_FRAME_LENGTH))
        {
            throw new IllegalArgumentException("records for partition " + partition + " exceed one batch (" +
                capacity + " bytes)");
        }
        final SafeBuffer batch = new SafeBuffer(new byte[capacity]);
        final RecordBatchWriter writer = new RecordBatchWriter().reset(batch, 0, capacity);
        final long now = System.currentTimeMillis();
        for (final int index : indexes)
        {
            final PublishRecord record = records.get(index);
            final byte[][] keys = new byte[record.headers().size()][];
            final byte[][] values = new byte[keys.length][];
            int h = 0;
            for (final Map.Entry<String, byte[]> header : record.headers().entrySet())
            {
                keys[h] = header.getKey().getBytes(StandardCharsets.UTF_8);
                values[h++] = header.getValue();
            }
            writer.append(now, record.key(), record.value(), keys, values);
        }
        final int length = writer.seal();
        final SafeBuffer compressed = compression.get().compress(batch, length);
        final SafeBuffer sent = null == compressed ? batch : compressed;
        return link.send(principal, Requests.produce(topic, partition, AckLevel.JOURNAL, sent, 0, sent.capacity()))
            .thenApply(reply ->
            new ProduceResponseDecoder().wrapAndApplyHeader(reply.buffer(), 0, reply.header()).baseOffset());
    }

    CompletableFuture<HttpResult> fetch(
        final String principal, final String topic, final int partition, final long offset, final int limit)
    {
        return link.send(principal, Requests.fetch(topic, partition, offset, MAX_FETCH_BYTES, 0)).thenApply(reply ->
            {
                final FetchResponseDecoder decoder =
                    new FetchResponseDecoder().wrapAndApplyHeader(reply.buffer(), 0, reply.header());
                final long highWatermark = decoder.highWatermark();
                final int length = decoder.batchesLength();
                final int start = decoder.limit() + FetchResponseDecoder.batchesHeaderLength();
                final RecordReader reader = RecordReaders.over(reply.buffer(), start, length);
                final JsonArray records = new JsonArray();
                long next = offset;
                while (records.size() < limit && reader.next())
                {
                    if (reader.offset() >= offset)
                    {
                        records.add(toJson(reader));
                        next = reader.offset() + 1;
                    }
                }
                return new HttpResult(200, new JsonObject().put("topic", topic).put("partition", partition)
                    .put("records", records).put("nextOffset", next).put("highWatermark", highWatermark));
            });
    }

    static JsonObject toJson(final RecordReader reader)
    {
        final JsonObject record = new JsonObject().put("offset", reader.offset())
            .put("timestamp", reader.timestampMs()).put("key", text(reader.key())).put("value", text(reader.value()));
        if (reader.headerCount() > 0)
        {
            final JsonObject headers = new JsonObject();
            reader.forEachHeader((buffer, keyOffset, keyLength, valueOffset, valueLength) -> headers.put(
                buffer.getStringWithoutLengthUtf8(keyOffset, keyLength),
                valueLength < 0 ? null : buffer.getStringWithoutLengthUtf8(valueOffset, valueLength)));
            record.put("headers", headers);
        }
        return record;
    }

    private static String requireString(final JsonObject body, final String field)
    {
        final String value = body.getString(field);
        if (null == value || value.isEmpty())
        {
            throw new IllegalArgumentException("field '" + field + "' is required");
        }
        return value;
    }

    private static String text(final byte[] bytes)
    {
        return null == bytes ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
