package io.portask.perf;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What a perf tool's {@code main} printed: the tools print their report on standard output.
 */
final class ToolOutput
{
    interface Run
    {
        void run() throws Exception;
    }

    private ToolOutput()
    {
    }

    static String of(final Run tool) throws Exception
    {
        final PrintStream original = System.out;
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        System.setOut(new PrintStream(text, true, StandardCharsets.UTF_8));
        try
        {
            tool.run();
        }
        finally
        {
            System.setOut(original);
        }
        return text.toString(StandardCharsets.UTF_8);
    }
}
