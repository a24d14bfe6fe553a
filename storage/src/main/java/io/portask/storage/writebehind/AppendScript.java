package io.portask.storage.writebehind;

import java.nio.charset.StandardCharsets;

/**
 * The one write the write-behind makes: append entries to a partition's stream only if the stream ends where
 * the write-behind left it. That makes every write conditional on the last one, so whatever fails (a lost reply,
 * a restarted server that lost data, a stale stream from an earlier topic of the same name) can neither leave a
 * gap nor write an entry twice: the script answers CONFLICT with the stream's actual last id and the agent
 * resynchronises from there.
 * <pre>
 *   KEYS[1]  the stream
 *   ARGV[1]  the id the stream must end with: "" for an empty stream, "*" to delete the stream first
 *   then per batch: entry id (base-count), record count, batch bytes
 *   returns {"OK", last id written} or {"CONFLICT", the stream's last id or ""}
 * </pre>
 */
final class AppendScript
{
    static final byte[] SOURCE = ("""
        local top = ''
        if ARGV[1] == '*' then
          redis.call('DEL', KEYS[1])
        else
          local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
          if #last > 0 then top = last[1][1] end
          if top ~= ARGV[1] then return {'CONFLICT', top} end
        end
        for i = 2, #ARGV, 3 do
          redis.call('XADD', KEYS[1], ARGV[i], 'count', ARGV[i + 1], 'batch', ARGV[i + 2])
        end
        return {'OK', ARGV[#ARGV - 2]}
        """).getBytes(StandardCharsets.UTF_8);

    static final String OK = "OK";
    static final String CONFLICT = "CONFLICT";
    static final String RESET = "*";

    private AppendScript()
    {
    }
}
