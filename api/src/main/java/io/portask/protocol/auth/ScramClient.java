package io.portask.protocol.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;

/**
 * The client's side of one SCRAM-SHA-256 exchange: client-first, then (given server-first) client-final, then the
 * check of the server's signature in server-final, which proves the broker knows the credential too.
 */
public final class ScramClient
{
    private final String user;
    private final String password;
    private final String nonce;
    private byte[] saltedPassword;
    private String authMessage;

    /**
     * @param user     user name.
     * @param password its password.
     * @param nonce    a fresh random nonce ({@link Scram#nonce()}).
     */
    public ScramClient(final String user, final String password, final String nonce)
    {
        this.user = user;
        this.password = password;
        this.nonce = nonce;
    }

    /**
     * @return client-first-message: "n,,n=USER,r=NONCE".
     */
    public String clientFirst()
    {
        return Scram.GS2_HEADER + clientFirstBare();
    }

    private String clientFirstBare()
    {
        return "n=" + Scram.escape(user) + ",r=" + nonce;
    }

    /**
     * @param serverFirst "r=NONCE+SERVER,s=SALT,i=ITERATIONS".
     * @return client-final-message with the proof.
     * @throws IllegalArgumentException when server-first is malformed or its nonce does not extend ours.
     */
    public String clientFinal(final String serverFirst)
    {
        final Map<String, String> attributes = Scram.attributes(serverFirst);
        final String combined = attributes.get("r");
        final String salt = attributes.get("s");
        final String iterations = attributes.get("i");
        if (null == combined || null == salt || null == iterations || !combined.startsWith(nonce) ||
            combined.length() == nonce.length())
        {
            throw new IllegalArgumentException("bad SCRAM server-first-message");
        }
        final int count = Integer.parseInt(iterations);
        if (count < 4096)
        {
            throw new IllegalArgumentException("SCRAM iteration count " + count + " is below 4096");
        }
        saltedPassword = Scram.saltedPassword(password, Base64.getDecoder().decode(salt), count);
        final String withoutProof = "c=" + Scram.CHANNEL_BINDING + ",r=" + combined;
        authMessage = clientFirstBare() + "," + serverFirst + "," + withoutProof;
        return withoutProof + ",p=" + Base64.getEncoder().encodeToString(
            Scram.clientProof(saltedPassword, authMessage));
    }

    /**
     * @param serverFinal "v=SIGNATURE".
     * @return true when the signature is the broker's for this exchange.
     */
    public boolean verifyServerFinal(final String serverFinal)
    {
        final String signature = Scram.attributes(serverFinal).get("v");
        return null != signature && MessageDigest.isEqual(Base64.getDecoder().decode(signature),
            Scram.serverSignature(Scram.hmac(saltedPassword, "Server Key"), authMessage));
    }

    /**
     * @return the message's bytes on the wire (UTF-8).
     */
    public static byte[] bytes(final String message)
    {
        return message.getBytes(StandardCharsets.UTF_8);
    }
}
