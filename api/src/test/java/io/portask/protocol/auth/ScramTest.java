package io.portask.protocol.auth;

import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SCRAM-SHA-256 against RFC 7677's test vector (section 3), both sides; then what the broker must refuse: a wrong
 * password, an unknown user (indistinguishable until the proof), a client-final replayed into another exchange.
 */
class ScramTest
{
    private static final String CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
    private static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final byte[] SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    private static final Scram.Credential PENCIL = Scram.Credential.of("pencil", SALT, 4096);
    private static final byte[] SECRET = "broker secret".getBytes();

    @Test
    void shouldReproduceTheRfc7677Exchange()
    {
        final ScramClient client = new ScramClient("user", "pencil", CLIENT_NONCE);
        final ScramServer server = new ScramServer(Map.of("user", PENCIL)::get, SECRET, SERVER_NONCE);
        assertEquals("n,,n=user,r=rOprNGfwEbeRWgbNEkqO", client.clientFirst());
        final String serverFirst = server.serverFirst(client.clientFirst());
        assertEquals("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
            serverFirst);
        final String clientFinal = client.clientFinal(serverFirst);
        assertEquals("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," +
            "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", clientFinal);
        final String serverFinal = server.serverFinal(clientFinal);
        assertEquals("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", serverFinal);
        assertTrue(client.verifyServerFinal(serverFinal));
        assertEquals("user", server.user());
    }

    @Test
    void shouldRefuseAWrongPasswordAnUnknownUserAndAReplay()
    {
        final ScramServer server = new ScramServer(Map.of("user", PENCIL)::get, SECRET, SERVER_NONCE);
        final ScramClient wrong = new ScramClient("user", "pen", CLIENT_NONCE);
        assertNull(server.serverFinal(wrong.clientFinal(server.serverFirst(wrong.clientFirst()))));

        final ScramServer forUnknown = new ScramServer(Map.of("user", PENCIL)::get, SECRET, SERVER_NONCE);
        final ScramClient nobody = new ScramClient("nobody", "pencil", CLIENT_NONCE);
        final String serverFirst = forUnknown.serverFirst(nobody.clientFirst());
        assertTrue(serverFirst.matches("r=.*,s=[A-Za-z0-9+/=]{24},i=8192"), "looks like any user's: " + serverFirst);
        assertNull(forUnknown.serverFinal(nobody.clientFinal(serverFirst)));

        final ScramClient honest = new ScramClient("user", "pencil", CLIENT_NONCE);
        final ScramServer first = new ScramServer(Map.of("user", PENCIL)::get, SECRET, SERVER_NONCE);
        final String recorded = honest.clientFinal(first.serverFirst(honest.clientFirst()));
        final ScramServer replayed = new ScramServer(Map.of("user", PENCIL)::get, SECRET, "another fresh nonce");
        assertNotEquals(first.serverFirst(honest.clientFirst()), replayed.serverFirst(honest.clientFirst()));
        assertNull(replayed.serverFinal(recorded), "a recorded client-final does not pass in another exchange");
        final ScramClient checking = new ScramClient("user", "pencil", CLIENT_NONCE);
        checking.clientFinal(new ScramServer(Map.of("user", PENCIL)::get, SECRET, SERVER_NONCE)
            .serverFirst(checking.clientFirst()));
        assertFalse(checking.verifyServerFinal("v=" + Base64.getEncoder().encodeToString(new byte[32])),
            "a broker that does not know the credential cannot sign");
    }
}
