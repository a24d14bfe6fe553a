package io.portask.ops.system;

import io.portask.testsupport.BrokerProcess;
import io.portask.testsupport.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A broker that cannot start says why in one line and exits 1, instead of a stack trace (or hanging on).
 */
class StartErrorsSystemTest
{
    @TempDir
    Path dir;

    @Test
    void shouldNameATakenPortAndATakenDataFolderInOneLine() throws Exception
    {
        try (BrokerProcess running = new BrokerProcess(dir.resolve("data")).start())
        {
            final String port = startAndFail("-Dportask.broker.port=" + running.port(),
                "-Dportask.data.dir=" + dir.resolve("other"));
            assertEquals("portask: the broker cannot listen on 127.0.0.1:" + running.port() + ": the address is in " +
                "use (another broker? choose another portask.broker.port)", port);

            final String folder = startAndFail("-Dportask.broker.port=" + FreePorts.next(),
                "-Dportask.data.dir=" + dir.resolve("data"));
            assertTrue(folder.startsWith("portask: the broker did not start: data folder " + dir.resolve("data")),
                folder);
            assertTrue(folder.contains("in use by portask broker on port " + running.port()), folder);
        }
    }

    /**
     * @return what the broker printed that is not a log line; asserts it is one line and the exit code is 1.
     */
    private String startAndFail(final String... properties) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(BrokerProcess.jvmFlags());
        command.addAll(List.of(properties));
        command.addAll(List.of("-cp", BrokerProcess.classpath(), "io.portask.ops.Portask", "broker"));
        final Path out = Files.createTempFile(dir, "start", ".err");
        final Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(out.toFile()).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the failed broker exits");
        assertEquals(1, process.exitValue());
        final List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8).stream()
            .filter(line -> !line.startsWith("[") && !line.isBlank()).toList();
        assertEquals(1, lines.size(), String.join("\n", lines));
        assertFalse(lines.get(0).contains("Exception"), lines.get(0));
        return lines.get(0);
    }
}
