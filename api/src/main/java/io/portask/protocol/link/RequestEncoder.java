package io.portask.protocol.link;

import org.agrona.MutableDirectBuffer;

/**
 * Writes one request's SBE message, header included, with the correlation id the link gives it. {@link Requests}
 * has one for every request type.
 */
@FunctionalInterface
public interface RequestEncoder
{
    /**
     * @param buffer        to encode into.
     * @param offset        where the message starts.
     * @param correlationId to put in the request.
     * @return the message length.
     */
    int encode(MutableDirectBuffer buffer, int offset, long correlationId);
}
