package io.portask.transport;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS listener's settings: its port, the broker's PEM certificate chain and PKCS#8 key, the CA bundle that
 * client certificates must chain to (mutual TLS), whether a client certificate is asked for, the engine (OpenSSL
 * through netty-tcnative's BoringSSL where it loads, else the JDK's) and the protocols (TLS 1.3 by default).
 *
 * @param port        TLS port (0 picks a free one).
 * @param certificate PEM certificate chain of the broker.
 * @param key         PEM PKCS#8 private key of the broker.
 * @param trustedCa   PEM CA certificates client certificates must chain to; null when none are accepted.
 * @param clientAuth  NONE, OPTIONAL or REQUIRE a client certificate.
 * @param engine      "auto" (OpenSSL when available), "openssl" or "jdk".
 * @param protocols   enabled protocols, e.g. TLSv1.3.
 */
public record TlsSettings(
    int port, Path certificate, Path key, Path trustedCa, ClientAuth clientAuth, String engine, List<String> protocols)
{
    /**
     * @return the server context, built with the engine asked for.
     * @throws IllegalStateException when OpenSSL is asked for and does not load, or a file cannot be read.
     */
    public SslContext serverContext()
    {
        final SslProvider provider = provider();
        try
        {
            final SslContextBuilder builder = SslContextBuilder.forServer(certificate.toFile(), key.toFile())
                .sslProvider(provider).protocols(protocols).clientAuth(clientAuth);
            if (null != trustedCa)
            {
                builder.trustManager(trustedCa.toFile());
            }
            return builder.build();
        }
        catch (final SSLException | IllegalArgumentException ex)
        {
            throw new IllegalStateException("cannot set up TLS from " + certificate + " and " + key +
                (null == trustedCa ? "" : " (CA " + trustedCa + ")") + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @return a trust manager over the CA bundle, to check a client certificate again before its CN is taken as
     *         a principal (the engines let an unverifiable certificate through when client auth is optional), or
     *         null without a CA.
     */
    public X509TrustManager clientTrust()
    {
        if (null == trustedCa)
        {
            return null;
        }
        try (InputStream in = Files.newInputStream(trustedCa))
        {
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (final Certificate ca : CertificateFactory.getInstance("X.509").generateCertificates(in))
            {
                store.setCertificateEntry("ca-" + i++, ca);
            }
            final TrustManagerFactory factory =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (final TrustManager manager : factory.getTrustManagers())
            {
                if (manager instanceof X509TrustManager x509)
                {
                    return x509;
                }
            }
            throw new IllegalStateException("no X.509 trust manager for " + trustedCa);
        }
        catch (final IOException | GeneralSecurityException ex)
        {
            throw new IllegalStateException("cannot read the client CA certificates " + trustedCa + ": " +
                ex.getMessage(), ex);
        }
    }

    /**
     * @return OpenSSL when asked for or available under "auto", else the JDK engine.
     */
    public SslProvider provider()
    {
        return switch (engine)
        {
            case "jdk" -> SslProvider.JDK;
            case "openssl" ->
            {
                if (!OpenSsl.isAvailable())
                {
                    throw new IllegalStateException("portask.tls.engine=openssl but OpenSSL does not load: " +
                        OpenSsl.unavailabilityCause());
                }
                yield SslProvider.OPENSSL;
            }
            default -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        };
    }

    /**
     * @return how the engine is named at start, e.g. "OpenSSL (BoringSSL)" or "JDK".
     */
    public String engineName()
    {
        return SslProvider.JDK == provider() ? "JDK " + System.getProperty("java.version") :
            "OpenSSL (" + OpenSsl.versionString() + ")";
    }
}
