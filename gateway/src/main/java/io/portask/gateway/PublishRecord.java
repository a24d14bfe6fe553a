package io.portask.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One record of a publish body, its types checked: {@code key} and {@code value} strings (UTF-8 on the wire; a
 * CBOR body may give byte strings, taken as they are) or absent/null, {@code headers} an object of such values,
 * {@code partition} an integer or absent. A body is one record or {@code {"records": [...]}}; anything else
 * is refused with IllegalArgumentException naming the field, which the gateway answers 400 — never a
 * ClassCastException from deep in the publish path (a 500).
 *
 * @param key       key or null.
 * @param value     value or null.
 * @param headers   header name to value (null for none), in the order given.
 * @param partition chosen partition, or null to place by key.
 */
record PublishRecord(byte[] key, byte[] value, Map<String, byte[]> headers, Integer partition)
{
    /**
     * @param body a publish body.
     * @return its records, in order; never empty.
     * @throws IllegalArgumentException when the body or a field has the wrong shape.
     */
    static List<PublishRecord> of(final JsonObject body)
    {
        final List<Object> items = new ArrayList<>();
        if (body.containsKey("records"))
        {
            if (!(body.getValue("records") instanceof JsonArray array))
            {
                throw new IllegalArgumentException("records must be an array of record objects");
            }
            array.forEach(items::add);
        }
        else
        {
            items.add(body);
        }
        if (items.isEmpty())
        {
            throw new IllegalArgumentException("no records to publish");
        }
        final List<PublishRecord> records = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++)
        {
            final String where = body.containsKey("records") ? "records[" + i + "]" : "the record";
            if (!(items.get(i) instanceof JsonObject record))
            {
                throw new IllegalArgumentException(where + " must be an object");
            }
            records.add(new PublishRecord(bytes(record.getValue("key"), where + ".key"),
                bytes(record.getValue("value"), where + ".value"), headers(record.getValue("headers"), where),
                partition(record.getValue("partition"), where)));
        }
        return records;
    }

    private static byte[] bytes(final Object value, final String field)
    {
        if (null == value || value instanceof byte[])
        {
            return (byte[])value;
        }
        if (value instanceof String text)
        {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        throw new IllegalArgumentException(field + " must be a string or null (encode structured values as text)");
    }

    private static Map<String, byte[]> headers(final Object value, final String where)
    {
        if (null == value)
        {
            return Map.of();
        }
        if (!(value instanceof JsonObject object))
        {
            throw new IllegalArgumentException(where + ".headers must be an object of strings");
        }
        final Map<String, byte[]> headers = new LinkedHashMap<>();
        for (final String name : object.fieldNames())
        {
            headers.put(name, bytes(object.getValue(name), where + ".headers." + name));
        }
        return headers;
    }

    private static Integer partition(final Object value, final String where)
    {
        if (null == value)
        {
            return null;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte)
        {
            final long partition = ((Number)value).longValue();
            if (partition >= 0 && partition <= Integer.MAX_VALUE)
            {
                return (int)partition;
            }
        }
        throw new IllegalArgumentException(where + ".partition must be a partition number, got " + value);
    }
}
