package io.portask.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Test-only TLS material (see {@code tls/gen.sh} beside it): a CA, a broker certificate for localhost and
 * 127.0.0.1, a client certificate (CN=writer) from that CA, and a rogue CA with a client certificate of its own.
 * {@link #writeTo} copies the PEM files out of the jar so processes can read them.
 *
 * @param dir where the files are.
 */
public record TestTls(Path dir)
{
    private static final String[] FILES = {
        "ca.pem", "broker.pem", "broker.key", "client.pem", "client.key", "rogue-ca.pem", "rogue-client.pem",
        "rogue-client.key" };

    /**
     * @param dir a folder to write the PEM files into.
     * @return the material there.
     * @throws IOException when a file cannot be written.
     */
    public static TestTls writeTo(final Path dir) throws IOException
    {
        Files.createDirectories(dir);
        for (final String name : FILES)
        {
            try (InputStream in = TestTls.class.getResourceAsStream("tls/" + name))
            {
                if (null == in)
                {
                    throw new IOException("test TLS resource missing: " + name);
                }
                Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return new TestTls(dir);
    }

    public Path ca()
    {
        return dir.resolve("ca.pem");
    }

    public Path brokerCertificate()
    {
        return dir.resolve("broker.pem");
    }

    public Path brokerKey()
    {
        return dir.resolve("broker.key");
    }

    public Path clientCertificate()
    {
        return dir.resolve("client.pem");
    }

    public Path clientKey()
    {
        return dir.resolve("client.key");
    }

    public Path rogueCa()
    {
        return dir.resolve("rogue-ca.pem");
    }

    public Path rogueClientCertificate()
    {
        return dir.resolve("rogue-client.pem");
    }

    public Path rogueClientKey()
    {
        return dir.resolve("rogue-client.key");
    }

    /**
     * @param tlsPort the broker's TLS port.
     * @param more    further -D properties.
     * @return the -D properties of a broker serving TLS with this material, asking for client certificates.
     */
    public String[] brokerProperties(final int tlsPort, final String... more)
    {
        final String[] base = {
            "-Dportask.tls.port=" + tlsPort, "-Dportask.tls.certificate=" + brokerCertificate(),
            "-Dportask.tls.key=" + brokerKey(), "-Dportask.tls.ca=" + ca(), "-Dportask.tls.client.auth=optional" };
        final String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
