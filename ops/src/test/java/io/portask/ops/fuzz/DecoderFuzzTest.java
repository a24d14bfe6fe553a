package io.portask.ops.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import io.portask.core.acl.Acl;
import io.portask.protocol.auth.Scram;
import io.portask.protocol.auth.ScramServer;

import java.util.Map;

/**
 * Fuzz targets for what parses untrusted input outside the core's request path: ACL lines and SCRAM messages. Each
 * may refuse its input only with IllegalArgumentException; anything else Jazzer reports as a finding. In the suite
 * the checked-in inputs (and Jazzer's defaults) run in regression mode; {@code JAZZER_FUZZ=1} fuzzes for real.
 */
class DecoderFuzzTest
{
    private static final Scram.Credential CREDENTIAL = Scram.Credential.of("pw", new byte[16], 4096);

    @FuzzTest(maxDuration = "60s")
    void aclLine(final @NotNull String line)
    {
        try
        {
            final Acl acl = Acl.parse(line);
            if (!Acl.parse(acl.toString()).equals(acl))
            {
                throw new IllegalStateException("an ACL does not survive its own line: " + line);
            }
        }
        catch (final IllegalArgumentException refused)
        {
            // refused with a message: fine
        }
    }

    @FuzzTest(maxDuration = "60s")
    void scramMessages(final @NotNull String clientFirst, final @NotNull String clientFinal)
    {
        final ScramServer server = new ScramServer(Map.of("user", CREDENTIAL)::get, new byte[32], "server-nonce");
        try
        {
            server.serverFirst(clientFirst);
            if (null != server.serverFinal(clientFinal))
            {
                throw new IllegalStateException("a made-up proof passed: " + clientFirst + " / " + clientFinal);
            }
        }
        catch (final IllegalArgumentException refused)
        {
            // refused with a message: fine
        }
    }
}
