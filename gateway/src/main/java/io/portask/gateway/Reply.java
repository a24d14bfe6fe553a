package io.portask.gateway;

import io.portask.protocol.sbe.MessageHeaderDecoder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A broker reply copied off the IPC stream, header read.
 *
 * @param buffer the SBE message at offset 0.
 * @param header positioned on its header.
 */
record Reply(UnsafeBuffer buffer, MessageHeaderDecoder header)
{
}
