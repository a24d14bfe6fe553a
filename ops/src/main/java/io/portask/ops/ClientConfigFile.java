package io.portask.ops;

import io.portask.client.ClientOptions;
import io.portask.client.ClientTls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;

/**
 * The command line's connection settings beyond the bootstrap, from {@code --client-config FILE} (or
 * {@code PORTASK_CLIENT_CONFIG}): a properties file, so secrets stay off the command line.
 * <pre>
 *   tls=true                      TLS, trusting the JDK's CAs (implied by tls.ca)
 *   tls.ca=/etc/portask/ca.pem    CA certificates the broker's certificate must chain to
 *   tls.certificate=client.pem    this client's certificate chain (mutual TLS), with tls.key
 *   tls.key=client.key            its PKCS#8 private key
 *   username=alice                SCRAM-SHA-256, with password
 *   password=...
 *   token=ptk_...                 or a bearer token
 * </pre>
 */
final class ClientConfigFile
{
    private static final Set<String> KEYS =
        Set.of("tls", "tls.ca", "tls.certificate", "tls.key", "username", "password", "token");

    private ClientConfigFile()
    {
    }

    /**
     * @return the options with the file's settings applied.
     * @throws Args.UsageException naming the file and the key that is wrong.
     */
    static ClientOptions apply(final ClientOptions options, final Path file)
    {
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        catch (final IOException ex)
        {
            throw new Args.UsageException("cannot read client config " + file + ": " + ex.getMessage());
        }
        for (final String key : properties.stringPropertyNames())
        {
            if (!KEYS.contains(key))
            {
                throw new Args.UsageException("unknown key '" + key + "' in client config " + file + "; known: " +
                    String.join(", ", KEYS.stream().sorted().toList()));
            }
        }
        final ClientOptions authenticated = credentials(options, properties, file);
        final String ca = properties.getProperty("tls.ca");
        final String certificate = properties.getProperty("tls.certificate");
        final String key = properties.getProperty("tls.key");
        if ((null == certificate) != (null == key))
        {
            throw new Args.UsageException("client config " + file + ": tls.certificate and tls.key go together");
        }
        if (null == ca && null == certificate && !Boolean.parseBoolean(properties.getProperty("tls", "false")))
        {
            return authenticated;
        }
        ClientTls tls = ClientTls.trusting(null == ca ? null : resolve(file, ca));
        if (null != certificate)
        {
            tls = tls.withCertificate(resolve(file, certificate), resolve(file, key));
        }
        return authenticated.withTls(tls);
    }

    private static ClientOptions credentials(final ClientOptions options, final Properties properties, final Path file)
    {
        final String user = properties.getProperty("username");
        final String password = properties.getProperty("password");
        final String token = properties.getProperty("token");
        if ((null == user) != (null == password))
        {
            throw new Args.UsageException("client config " + file + ": username and password go together");
        }
        if (null != user && null != token)
        {
            throw new Args.UsageException("client config " + file + ": username/password or token, not both");
        }
        return null != user ? options.withScram(user, password) : null != token ? options.withToken(token) : options;
    }

    private static Path resolve(final Path file, final String value)
    {
        final Path path = Path.of(value);
        final Path parent = file.toAbsolutePath().getParent();
        return path.isAbsolute() || null == parent ? path : parent.resolve(path);
    }
}
