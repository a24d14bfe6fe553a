package io.portask.protocol.link;

import io.portask.protocol.sbe.MessageHeaderDecoder;
import org.agrona.DirectBuffer;

/**
 * A message from the broker, copied off the socket or the IPC stream, its SBE header already read. Decode the body
 * with the generated decoder's {@code wrapAndApplyHeader(buffer(), 0, header())}.
 *
 * @param buffer the SBE message, header included, at offset 0.
 * @param header decoder positioned on the message header.
 */
public record Reply(DirectBuffer buffer, MessageHeaderDecoder header)
{
    /**
     * @return the template id of the message.
     */
    public int templateId()
    {
        return header.templateId();
    }
}
