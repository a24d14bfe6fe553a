package io.portask.transport;

import java.nio.file.Path;

/**
 * How the transport authenticates connections.
 *
 * @param required       whether a connection must authenticate (SCRAM-SHA-256, a token, or a client certificate)
 *                       before any other request; when false, connections are ANONYMOUS unless they authenticate.
 * @param folder         {@code DATA/security}: users and tokens ({@link SecurityStore}).
 * @param maxFailures    failed attempts (or requests before authenticating) after which a connection is closed.
 * @param failuresPerSec failed attempts per remote address allowed on average (burst: 10x) before further
 *                       attempts from it are refused THROTTLED, unread.
 */
public record AuthSettings(boolean required, Path folder, int maxFailures, int failuresPerSec)
{
    /** The principal of a connection that did not authenticate, where that is allowed. */
    public static final String ANONYMOUS = "ANONYMOUS";
}
