package io.portask.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * TLS to the broker's TLS port: the CA certificates to trust (PEM; the JDK's trust store when null), and for
 * mutual TLS the client's certificate chain and PKCS#8 key (PEM). The broker's name is verified against its
 * certificate; TLS 1.3 only.
 *
 * @param trustedCa   PEM CA certificates the broker's certificate must chain to, or null for the JDK's.
 * @param certificate PEM certificate chain of this client, or null.
 * @param key         PEM PKCS#8 private key of this client (EC or RSA), or null.
 */
public record ClientTls(Path trustedCa, Path certificate, Path key)
{
    /** The protocols offered. */
    static final String[] PROTOCOLS = { "TLSv1.3" };

    /**
     * @param trustedCa PEM CA certificates the broker's certificate must chain to, or null for the JDK's.
     * @return TLS without a client certificate.
     */
    public static ClientTls trusting(final Path trustedCa)
    {
        return new ClientTls(trustedCa, null, null);
    }

    /**
     * @param chain PEM certificate chain of this client.
     * @param pkcs8 PEM PKCS#8 private key of this client.
     * @return a copy that presents this certificate (mutual TLS).
     */
    public ClientTls withCertificate(final Path chain, final Path pkcs8)
    {
        return new ClientTls(trustedCa, chain, pkcs8);
    }

    /**
     * @return a context for these settings.
     * @throws PortaskException when a file cannot be read or parsed.
     */
    SSLContext context()
    {
        try
        {
            TrustManagerFactory trust = null;
            if (null != trustedCa)
            {
                final KeyStore store = emptyStore();
                int i = 0;
                for (final Certificate ca : certificates(trustedCa))
                {
                    store.setCertificateEntry("ca-" + i++, ca);
                }
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(store);
            }
            KeyManagerFactory keys = null;
            if (null != certificate)
            {
                final KeyStore store = emptyStore();
                store.setKeyEntry("client", privateKey(key), new char[0],
                    certificates(certificate).toArray(Certificate[]::new));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, new char[0]);
            }
            final SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(null == keys ? null : new KeyManager[]{ new AlwaysPresent(keys) },
                null == trust ? null : trust.getTrustManagers(), null);
            return context;
        }
        catch (final IOException | GeneralSecurityException | IllegalArgumentException ex)
        {
            throw new PortaskException(io.portask.protocol.ErrorCode.INVALID_REQUEST,
                "cannot set up TLS from " + this + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Presents the configured certificate whatever CAs the broker names, so a certificate the broker does not trust
     * fails the connection loudly instead of it going on without one.
     */
    private static final class AlwaysPresent extends X509ExtendedKeyManager
    {
        private final X509KeyManager keys;

        AlwaysPresent(final KeyManagerFactory factory)
        {
            this.keys = (X509KeyManager)factory.getKeyManagers()[0];
        }

        public String chooseClientAlias(final String[] keyType, final Principal[] issuers, final Socket socket)
        {
            return "client";
        }

        public String chooseEngineClientAlias(final String[] keyType, final Principal[] issuers, final SSLEngine engine)
        {
            return "client";
        }

        public String[] getClientAliases(final String keyType, final Principal[] issuers)
        {
            return new String[]{ "client" };
        }

        public String[] getServerAliases(final String keyType, final Principal[] issuers)
        {
            return null;
        }

        public String chooseServerAlias(final String keyType, final Principal[] issuers, final Socket socket)
        {
            return null;
        }

        public X509Certificate[] getCertificateChain(final String alias)
        {
            return keys.getCertificateChain(alias);
        }

        public PrivateKey getPrivateKey(final String alias)
        {
            return keys.getPrivateKey(alias);
        }
    }

    private static KeyStore emptyStore() throws IOException, GeneralSecurityException
    {
        final KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

    private static Collection<? extends Certificate> certificates(final Path pem)
        throws IOException, GeneralSecurityException
    {
        try (InputStream in = Files.newInputStream(pem))
        {
            return CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
    }

    private static PrivateKey privateKey(final Path pem) throws IOException, GeneralSecurityException
    {
        final String text = Files.readString(pem);
        final int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
        final int end = text.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin)
        {
            throw new IllegalArgumentException(pem + " holds no PKCS#8 'BEGIN PRIVATE KEY' block");
        }
        final byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + 27, end));
        final PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        try
        {
            return KeyFactory.getInstance("EC").generatePrivate(spec);
        }
        catch (final GeneralSecurityException notEc)
        {
            return KeyFactory.getInstance("RSA").generatePrivate(spec);
        }
    }
}
