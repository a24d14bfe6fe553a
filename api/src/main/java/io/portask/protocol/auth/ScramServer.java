package io.portask.protocol.auth;

import java.util.Base64;
import java.util.Map;
import java.util.function.Function;

/**
 * The broker's side of one SCRAM-SHA-256 exchange. An unknown user gets a server-first-message like any other
 * (a salt derived from the name and a secret of the broker's), so the exchange does not tell who exists; it fails
 * at the proof.
 */
public final class ScramServer
{
    private final Function<String, Scram.Credential> credentials;
    private final byte[] fakeSaltSecret;
    private final String serverNonce;
    private String user;
    private Scram.Credential credential;
    private String clientFirstBare;
    private String serverFirst;

    /**
     * @param credentials    the stored credential of a user, or null when there is none.
     * @param fakeSaltSecret a secret of the broker's, for the salts of unknown users.
     * @param serverNonce    a fresh random nonce.
     */
    public ScramServer(
        final Function<String, Scram.Credential> credentials, final byte[] fakeSaltSecret, final String serverNonce)
    {
        this.credentials = credentials;
        this.fakeSaltSecret = fakeSaltSecret;
        this.serverNonce = serverNonce;
    }

    /**
     * @param clientFirst "n,,n=USER,r=NONCE".
     * @return server-first-message.
     * @throws IllegalArgumentException when the message is malformed or asks for channel binding.
     */
    public String serverFirst(final String clientFirst)
    {
        if (!clientFirst.startsWith(Scram.GS2_HEADER))
        {
            throw new IllegalArgumentException("SCRAM client-first-message must start with n,, (no channel binding)");
        }
        clientFirstBare = clientFirst.substring(Scram.GS2_HEADER.length());
        final Map<String, String> attributes = Scram.attributes(clientFirstBare);
        final String name = attributes.get("n");
        final String nonce = attributes.get("r");
        if (null == name || null == nonce || nonce.isEmpty())
        {
            throw new IllegalArgumentException("SCRAM client-first-message needs n= and r=");
        }
        user = Scram.unescape(name);
        credential = credentials.apply(user);
        final byte[] salt = null == credential ? fakeSalt(user) : credential.salt();
        final int iterations = null == credential ? Scram.DEFAULT_ITERATIONS : credential.iterations();
        serverFirst = "r=" + nonce + serverNonce + ",s=" + Base64.getEncoder().encodeToString(salt) + ",i=" +
            iterations;
        return serverFirst;
    }

    /**
     * @param clientFinal "c=biws,r=NONCES,p=PROOF".
     * @return server-final-message "v=SIGNATURE" when the proof holds, else null (authentication failed).
     * @throws IllegalArgumentException when the message is malformed.
     */
    public String serverFinal(final String clientFinal)
    {
        if (null == serverFirst)
        {
            throw new IllegalArgumentException("SCRAM client-final-message before client-first-message");
        }
        final int proofAt = clientFinal.lastIndexOf(",p=");
        if (proofAt < 0)
        {
            throw new IllegalArgumentException("SCRAM client-final-message needs p=");
        }
        final String withoutProof = clientFinal.substring(0, proofAt);
        final Map<String, String> attributes = Scram.attributes(withoutProof);
        final String expectedNonce = Scram.attributes(serverFirst).get("r");
        if (!Scram.CHANNEL_BINDING.equals(attributes.get("c")) || !expectedNonce.equals(attributes.get("r")))
        {
            return null; // a replayed or spliced message: another exchange's nonce
        }
        final byte[] proof = Base64.getDecoder().decode(clientFinal.substring(proofAt + 3));
        final String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        if (null == credential || !Scram.verifyProof(credential, authMessage, proof))
        {
            return null;
        }
        return "v=" + Base64.getEncoder().encodeToString(Scram.serverSignature(credential.serverKey(), authMessage));
    }

    /**
     * @return the user of this exchange (known once server-first was made).
     */
    public String user()
    {
        return user;
    }

    private byte[] fakeSalt(final String name)
    {
        final byte[] salt = new byte[16];
        System.arraycopy(Scram.hmac(fakeSaltSecret, name), 0, salt, 0, salt.length);
        return salt;
    }
}
