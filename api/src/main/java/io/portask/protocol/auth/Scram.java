package io.portask.protocol.auth;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) as the broker and its clients both need it: the key derivations, proofs and
 * signatures, the stored form of a credential (salt, iterations, StoredKey, ServerKey: never the password), and the
 * attribute lists of the four messages. No channel binding (gs2 header "n,,"), as over plain TCP or TLS without it.
 */
public final class Scram
{
    /** The mechanism's name on the wire. */
    public static final String MECHANISM = "SCRAM-SHA-256";
    /** Iterations for new credentials: RFC 7677's minimum is 4096. */
    public static final int DEFAULT_ITERATIONS = 8192;
    /** The gs2 header of a client without channel binding, and its base64 for the final message's c=. */
    public static final String GS2_HEADER = "n,,";
    public static final String CHANNEL_BINDING = Base64.getEncoder().encodeToString(
        GS2_HEADER.getBytes(StandardCharsets.US_ASCII));

    private static final SecureRandom RANDOM = new SecureRandom();

    private Scram()
    {
    }

    /**
     * A credential as the broker stores it.
     *
     * @param salt       random salt.
     * @param iterations PBKDF2 iterations.
     * @param storedKey  H(ClientKey).
     * @param serverKey  HMAC(SaltedPassword, "Server Key").
     */
    public record Credential(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey)
    {
        /**
         * @param password   the user's password.
         * @param iterations PBKDF2 iterations.
         * @return a new credential with a random 16-byte salt.
         */
        public static Credential create(final String password, final int iterations)
        {
            final byte[] salt = new byte[16];
            RANDOM.nextBytes(salt);
            return of(password, salt, iterations);
        }

        /**
         * @return the credential of this password, salt and iteration count.
         */
        public static Credential of(final String password, final byte[] salt, final int iterations)
        {
            final byte[] salted = saltedPassword(password, salt, iterations);
            return new Credential(salt, iterations, hash(hmac(salted, "Client Key")), hmac(salted, "Server Key"));
        }
    }

    /**
     * @return Hi(password, salt, i): PBKDF2 with HMAC-SHA-256, 32 bytes.
     */
    public static byte[] saltedPassword(final String password, final byte[] salt, final int iterations)
    {
        try
        {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", ex);
        }
    }

    /**
     * @return HMAC-SHA-256(key, text).
     */
    public static byte[] hmac(final byte[] key, final String text)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HmacSHA256 is not available", ex);
        }
    }

    /**
     * @return SHA-256(bytes).
     */
    public static byte[] hash(final byte[] bytes)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("SHA-256 is not available", ex);
        }
    }

    /**
     * @return a XOR b (same length).
     */
    public static byte[] xor(final byte[] a, final byte[] b)
    {
        final byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++)
        {
            out[i] = (byte)(a[i] ^ b[i]);
        }
        return out;
    }

    /**
     * @return a printable random nonce of 24 bytes' entropy.
     */
    public static String nonce()
    {
        final byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * @return the client's proof: ClientKey XOR HMAC(StoredKey, AuthMessage).
     */
    public static byte[] clientProof(final byte[] saltedPassword, final String authMessage)
    {
        final byte[] clientKey = hmac(saltedPassword, "Client Key");
        return xor(clientKey, hmac(hash(clientKey), authMessage));
    }

    /**
     * The server's check of a client's proof.
     *
     * @return true when H(proof XOR HMAC(StoredKey, AuthMessage)) is the StoredKey.
     */
    public static boolean verifyProof(final Credential credential, final String authMessage, final byte[] proof)
    {
        final byte[] signature = hmac(credential.storedKey(), authMessage);
        if (proof.length != signature.length)
        {
            return false;
        }
        return MessageDigest.isEqual(hash(xor(proof, signature)), credential.storedKey());
    }

    /**
     * @return the server's signature, HMAC(ServerKey, AuthMessage), which the client checks.
     */
    public static byte[] serverSignature(final byte[] serverKey, final String authMessage)
    {
        return hmac(serverKey, authMessage);
    }

    /**
     * @param message e.g. "r=abc,s=c2FsdA==,i=4096".
     * @return its attributes in order; a value keeps any '=' it holds.
     * @throws IllegalArgumentException when an attribute is malformed.
     */
    public static Map<String, String> attributes(final String message)
    {
        final Map<String, String> attributes = new LinkedHashMap<>();
        for (final String part : message.split(",", -1))
        {
            if (part.length() < 2 || '=' != part.charAt(1))
            {
                throw new IllegalArgumentException("malformed SCRAM attribute '" + part + "'");
            }
            attributes.put(part.substring(0, 1), part.substring(2));
        }
        return attributes;
    }

    /**
     * @return a user name escaped for n= (',' as =2C, '=' as =3D).
     */
    public static String escape(final String user)
    {
        return user.replace("=", "=3D").replace(",", "=2C");
    }

    /**
     * @return the name n= carried.
     */
    public static String unescape(final String user)
    {
        return user.replace("=2C", ",").replace("=3D", "=");
    }
}
