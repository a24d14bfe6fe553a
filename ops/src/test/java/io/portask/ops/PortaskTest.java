package io.portask.ops;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortaskTest
{
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(final String... args)
    {
        return Portask.run(args, System.in, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err()
    {
        return err.toString(StandardCharsets.UTF_8);
    }

    /**
     * Start a broker in-process with these system properties (key, value, ...), cleared afterwards.
     */
    private int runBrokerWith(final String... keyValues)
    {
        for (int i = 0; i < keyValues.length; i += 2)
        {
            System.setProperty(keyValues[i], keyValues[i + 1]);
        }
        try
        {
            return run("broker");
        }
        finally
        {
            for (int i = 0; i < keyValues.length; i += 2)
            {
                System.clearProperty(keyValues[i]);
            }
        }
    }

    @Test
    void shouldExitTwoWithUsageForMistakes()
    {
        assertEquals(2, run("frobnicate"));
        assertTrue(err().contains("unknown command 'frobnicate'") && err().contains("usage: portask"), err());
        assertEquals(2, run("produce", "t", "--ack", "maybe"));
        assertTrue(err().contains("--ack must be none, memory, journal, sync or quorum, got 'maybe'"), err());
        assertEquals(2, run("topics", "create", "t", "--partitions", "0"));
        assertTrue(err().contains("--partitions must be in [1, 4096], got 0"), err());
        assertEquals(2, run("consume", "t", "--colour"));
        assertTrue(err().contains("unknown option --colour"), err());
    }

    @Test
    void shouldNameTheKeyOfABadBrokerSetting()
    {
        assertEquals(2, runBrokerWith("portask.threading.mode", "turbo"));
        assertTrue(err().contains("invalid value 'turbo' for portask.threading.mode (from system property " +
            "-Dportask.threading.mode): expected one of shared, dedicated, invoker"), err());
    }

    @Test
    void shouldRefuseAGroupSessionTimeoutMaximumBelowTheMinimum()
    {
        assertEquals(2, runBrokerWith(
            "portask.group.min.session.timeout.ms", "5000", "portask.group.max.session.timeout.ms", "1000"));
        assertTrue(err().contains("invalid value '1000' for portask.group.max.session.timeout.ms") &&
            err().contains("[5000, 3600000]"), err());
    }

    @Test
    void shouldNameTheKeyOfABadClusterSetting()
    {
        assertEquals(2, runBrokerWith("portask.cluster.members", "127.0.0.1:7070,127.0.0.1:7071"));
        assertTrue(err().contains("for portask.cluster.members") && err().contains("an odd number of nodes, at " +
            "least 3"), err());
        assertEquals(2, runBrokerWith("portask.cluster.members", "a:1,b,c:3"));
        assertTrue(err().contains("invalid value 'a:1,b,c:3' for portask.cluster.members"), err());
        assertEquals(2, runBrokerWith("portask.cluster.members", "a:1,b:2,c:3"));
        assertTrue(err().contains("for portask.cluster.node") && err().contains("0 to 2"), err());
        assertEquals(2, runBrokerWith("portask.cluster.members", "a:1,b:2,c:3", "portask.cluster.node", "3"));
        assertTrue(err().contains("invalid value '3' for portask.cluster.node"), err());
    }

    @Test
    void shouldRefuseToServeTheNetworkWithoutAuthentication()
    {
        assertEquals(2, runBrokerWith("portask.broker.bind", "0.0.0.0"));
        assertTrue(err().startsWith("portask: portask.broker.bind=0.0.0.0 is not loopback: set " +
            "portask.security.auth.required=true") && err().contains("portask.security.allow.anonymous=true"), err());
    }

    @Test
    void shouldPrintUsageForHelp()
    {
        assertEquals(0, run("help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("stat"));
    }

    @Test
    void shouldAuditThisHostAndPrintAProfile()
    {
        final int status = run("tune", "check");
        final String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(text.contains(" FAIL ") ? 1 : 0, status, text);
        assertTrue(text.contains("thread placement") && text.contains("17 checks:"), text);
        for (final String check : new String[]{"isolated cpus", "nic irq affinity", "clocksource", "jvm flags"})
        {
            assertTrue(text.contains(check), check);
        }
        out.reset();
        run("tune", "check", "--json");
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("[\n {\"name\":\"isolated cpus\""),
            out.toString(StandardCharsets.UTF_8));
        out.reset();
        assertEquals(0, run("tune", "profile"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("CPUAffinity="), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldNameAPlacementKeyThatIsWrong()
    {
        System.setProperty("portask.cpu.core", "fast");
        try
        {
            assertEquals(2, run("tune", "check"));
            assertTrue(err().contains("portask.cpu.core") && err().contains("a cpu number, auto or none"), err());
        }
        finally
        {
            System.clearProperty("portask.cpu.core");
        }
    }
}
