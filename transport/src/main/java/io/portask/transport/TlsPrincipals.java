package io.portask.transport;

import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.X509TrustManager;

/**
 * Maps a client certificate to a principal: the CN of its subject (Kafka's default maps the whole DN; the CN is
 * what operators write in ACLs), once it is checked to chain to the broker's client CA bundle.
 */
final class TlsPrincipals
{
    private TlsPrincipals()
    {
    }

    /**
     * @param engine the connection's, after its handshake.
     * @param trust  the CA bundle client certificates must chain to.
     * @return the CN of the peer's certificate, or null when it sent none (or has no CN).
     * @throws CertificateException when it sent one that does not chain to the CA bundle.
     */
    static String of(final SSLEngine engine, final X509TrustManager trust) throws CertificateException
    {
        try
        {
            final Certificate[] peer = engine.getSession().getPeerCertificates();
            if (0 == peer.length || !(peer[0] instanceof X509Certificate certificate) || null == trust)
            {
                return null;
            }
            final X509Certificate[] chain = new X509Certificate[peer.length];
            for (int i = 0; i < peer.length; i++)
            {
                chain[i] = (X509Certificate)peer[i];
            }
            trust.checkClientTrusted(chain, certificate.getPublicKey().getAlgorithm());
            for (final Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns())
            {
                if ("CN".equalsIgnoreCase(rdn.getType()))
                {
                    return rdn.getValue().toString();
                }
            }
            return null;
        }
        catch (final SSLPeerUnverifiedException | InvalidNameException ex)
        {
            return null;
        }
    }
}
