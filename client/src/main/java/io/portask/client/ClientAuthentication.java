package io.portask.client;

import io.portask.protocol.ErrorCode;
import io.portask.protocol.auth.Scram;
import io.portask.protocol.auth.ScramClient;
import io.portask.protocol.buffer.SafeBuffer;
import io.portask.protocol.link.RequestEncoder;
import io.portask.protocol.link.Requests;
import io.portask.protocol.sbe.AuthenticateResponseDecoder;
import io.portask.protocol.sbe.ErrorResponseDecoder;
import io.portask.protocol.sbe.MessageHeaderDecoder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The client's side of the Authenticate exchange, run on a new connection before anything else: a token in one
 * step, SCRAM-SHA-256 in two (and the broker's signature checked, so a broker that does not know the credential is
 * refused too).
 */
final class ClientAuthentication
{
    /** Sends one request and reads its answer, on the connection being opened. */
    @FunctionalInterface
    interface Exchange
    {
        SafeBuffer send(RequestEncoder request) throws IOException;
    }

    private ClientAuthentication()
    {
    }

    /**
     * @throws PortaskException AUTHENTICATION_FAILED (or THROTTLED) as the broker answered, or when its answer
     *                          does not prove it knows the credential.
     */
    static void authenticate(final ClientOptions.Credentials credentials, final Exchange exchange)
        throws IOException
    {
        if (Scram.MECHANISM.equals(credentials.mechanism()))
        {
            final ScramClient scram = new ScramClient(credentials.user(), credentials.secret(), Scram.nonce());
            final AuthenticateResponseDecoder first = step(exchange, Scram.MECHANISM, scram.clientFirst());
            final String serverFirst = payload(first);
            final AuthenticateResponseDecoder last;
            try
            {
                last = step(exchange, Scram.MECHANISM, scram.clientFinal(serverFirst));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new PortaskException(ErrorCode.AUTHENTICATION_FAILED, ex.getMessage());
            }
            final String serverFinal = payload(last);
            if (1 != last.complete() || !scram.verifyServerFinal(serverFinal))
            {
                throw new PortaskException(ErrorCode.AUTHENTICATION_FAILED,
                    "the broker's SCRAM signature does not verify: it does not know this credential");
            }
        }
        else
        {
            final AuthenticateResponseDecoder answer = step(exchange, credentials.mechanism(), credentials.secret());
            if (1 != answer.complete())
            {
                throw new PortaskException(ErrorCode.AUTHENTICATION_FAILED, "the broker did not complete " +
                    credentials.mechanism() + " authentication");
            }
        }
    }

    private static AuthenticateResponseDecoder step(final Exchange exchange, final String mechanism, final String text)
        throws IOException
    {
        final SafeBuffer reply = exchange.send(Requests.authenticate(mechanism,
            text.getBytes(StandardCharsets.UTF_8)));
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(reply, 0);
        if (ErrorResponseDecoder.TEMPLATE_ID == header.templateId())
        {
            final ErrorResponseDecoder error = new ErrorResponseDecoder().wrapAndApplyHeader(reply, 0, header);
            throw new PortaskException(ErrorCode.get(error.errorCode()), error.message());
        }
        return new AuthenticateResponseDecoder().wrapAndApplyHeader(reply, 0, header);
    }

    private static String payload(final AuthenticateResponseDecoder response)
    {
        response.skipPrincipal();
        final byte[] bytes = new byte[response.payloadLength()];
        response.getPayload(bytes, 0, bytes.length);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
