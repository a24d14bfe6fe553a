package io.portask.transport;

import io.portask.protocol.ErrorCode;
import io.portask.protocol.Frame;
import io.portask.protocol.auth.Scram;
import io.portask.protocol.auth.ScramServer;
import io.portask.protocol.sbe.AuthenticateRequestDecoder;
import io.portask.protocol.sbe.AuthenticateResponseEncoder;
import io.portask.protocol.sbe.MessageHeaderDecoder;
import io.portask.protocol.sbe.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * Authentication in the transport, before a connection's requests reach the core: the Authenticate exchange
 * (SCRAM-SHA-256 in two steps, or a bearer token in one), answered here; a request before authenticating, where the
 * broker requires it, answered AUTHENTICATION_REQUIRED. Failures are counted by kind; a connection is closed after
 * {@link AuthSettings#maxFailures} of them, and an address that fails too often is refused THROTTLED without any
 * work done for it ({@link LoginThrottle}). Verifying a SCRAM proof costs three HMACs and a hash (microseconds):
 * the password-stretching is the client's. Users and tokens are reloaded within a second of their files changing.
 * <p>
 * Threading: the transport's event loop only.
 */
final class Authenticator
{
    /** What failed, for the counters. */
    enum Failure
    {
        SCRAM, TOKEN, UNAUTHENTICATED_REQUEST, THROTTLED
    }

    static final String TOKEN_MECHANISM = "TOKEN";
    private static final long RELOAD_CHECK_NS = TimeUnit.MILLISECONDS.toNanos(500);

    private final AuthSettings settings;
    private final TransportAgent agent;
    private final AtomicCounter[] failures;
    private final LoginThrottle throttle;
    private final byte[] fakeSaltSecret = new byte[32];
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final AuthenticateRequestDecoder request = new AuthenticateRequestDecoder();
    private final AuthenticateResponseEncoder response = new AuthenticateResponseEncoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private SecurityStore store;
    private long stamp;
    private long nextReloadCheckNs;

    Authenticator(final AuthSettings settings, final TransportAgent agent, final AtomicCounter[] failures)
    {
        this.settings = settings;
        this.agent = agent;
        this.failures = failures;
        this.throttle = new LoginThrottle(settings.failuresPerSec());
        new SecureRandom().nextBytes(fakeSaltSecret);
        this.stamp = SecurityStore.stamp(settings.folder());
        this.store = SecurityStore.load(settings.folder());
    }

    boolean required()
    {
        return settings.required();
    }

    /**
     * Duty cycle: reload users and tokens when their files changed.
     */
    int doWork(final long nowNs)
    {
        if (nowNs < nextReloadCheckNs)
        {
            return 0;
        }
        nextReloadCheckNs = nowNs + RELOAD_CHECK_NS;
        final long now = SecurityStore.stamp(settings.folder());
        if (now == stamp)
        {
            return 0;
        }
        stamp = now;
        store = SecurityStore.load(settings.folder());
        return 1;
    }

    /**
     * @return false (counted THROTTLED) for a new connection from an address that failed too often lately.
     */
    boolean admits(final Connection connection)
    {
        if (throttle.allowed(connection.remoteHost(), System.nanoTime()))
        {
            return true;
        }
        failures[Failure.THROTTLED.ordinal()].incrementRelease();
        return false;
    }

    /**
     * One Authenticate request from a connection.
     *
     * @param message the SBE message (header first).
     */
    void onAuthenticate(final Connection connection, final DirectBuffer message, final int offset)
    {
        request.wrapAndApplyHeader(message, offset, headerDecoder);
        final long correlationId = request.correlationId();
        final String mechanism = request.mechanism();
        final byte[] payload = new byte[request.payloadLength()];
        request.getPayload(payload, 0, payload.length);
        final long nowNs = System.nanoTime();
        final String address = connection.remoteHost();
        if (!throttle.allowed(address, nowNs))
        {
            failures[Failure.THROTTLED.ordinal()].incrementRelease();
            agent.sendError(connection, correlationId, request.sbeTemplateId(), ErrorCode.THROTTLED,
                "too many failed authentications from " + address + ": try again later", true);
            return;
        }
        if (Scram.MECHANISM.equals(mechanism))
        {
            scram(connection, correlationId, new String(payload, StandardCharsets.UTF_8), nowNs);
        }
        else if (TOKEN_MECHANISM.equals(mechanism))
        {
            final String principal =
                store.principalOfToken(new String(payload, StandardCharsets.UTF_8), System.currentTimeMillis());
            if (null == principal)
            {
                fail(connection, correlationId, Failure.TOKEN, "unknown or expired token", nowNs);
            }
            else
            {
                succeed(connection, correlationId, principal, new byte[0]);
            }
        }
        else
        {
            fail(connection, correlationId, Failure.SCRAM, "unknown mechanism '" + mechanism + "': " +
                Scram.MECHANISM + " or " + TOKEN_MECHANISM, nowNs);
        }
    }

    private void scram(final Connection connection, final long correlationId, final String text, final long nowNs)
    {
        try
        {
            final ScramServer exchange = connection.scram();
            if (null == exchange)
            {
                final ScramServer started = new ScramServer(store::scram, fakeSaltSecret, Scram.nonce());
                final String serverFirst = started.serverFirst(text);
                connection.scram(started);
                reply(connection, correlationId, false, "", serverFirst.getBytes(StandardCharsets.UTF_8));
                return;
            }
            connection.scram(null);
            final String serverFinal = exchange.serverFinal(text);
            if (null == serverFinal)
            {
                fail(connection, correlationId, Failure.SCRAM, "authentication failed", nowNs);
                return;
            }
            succeed(connection, correlationId, exchange.user(), serverFinal.getBytes(StandardCharsets.UTF_8));
        }
        catch (final IllegalArgumentException ex)
        {
            connection.scram(null);
            fail(connection, correlationId, Failure.SCRAM, "authentication failed: " + ex.getMessage(), nowNs);
        }
    }

    /**
     * A request other than Authenticate on a connection that has not authenticated, where the broker requires it.
     */
    void onUnauthenticated(final Connection connection, final long correlationId, final int templateId)
    {
        failures[Failure.UNAUTHENTICATED_REQUEST.ordinal()].incrementRelease();
        final boolean close = connection.authFailed() >= settings.maxFailures();
        agent.sendError(connection, correlationId, templateId, ErrorCode.AUTHENTICATION_REQUIRED,
            "authenticate first (" + Scram.MECHANISM + ", " + TOKEN_MECHANISM + " or a client certificate)", close);
    }

    private void fail(
        final Connection connection, final long correlationId, final Failure kind, final String message,
        final long nowNs)
    {
        failures[kind.ordinal()].incrementRelease();
        throttle.failed(connection.remoteHost(), nowNs);
        final boolean close = connection.authFailed() >= settings.maxFailures();
        agent.sendError(connection, correlationId, request.sbeTemplateId(), ErrorCode.AUTHENTICATION_FAILED,
            message, close);
    }

    private void succeed(
        final Connection connection, final long correlationId, final String principal, final byte[] payload)
    {
        connection.authenticated(principal);
        agent.onAuthenticated(connection, principal);
        reply(connection, correlationId, true, principal, payload);
    }

    private void reply(
        final Connection connection, final long correlationId, final boolean complete, final String principal,
        final byte[] payload)
    {
        response.wrapAndApplyHeader(out, 0, headerEncoder).correlationId(correlationId)
            .complete((short)(complete ? 1 : 0)).principal(principal).putPayload(payload, 0, payload.length);
        agent.send(connection, out, MessageHeaderEncoder.ENCODED_LENGTH + response.encodedLength(), false);
    }

    /**
     * @return the template id of a framed message's SBE header.
     */
    static int templateId(final DirectBuffer frame)
    {
        return frame.getShort(Frame.HEADER_LENGTH + MessageHeaderDecoder.templateIdEncodingOffset(),
            Frame.BYTE_ORDER) & 0xFFFF;
    }
}
