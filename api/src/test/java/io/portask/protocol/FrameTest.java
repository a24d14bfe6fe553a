package io.portask.protocol;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameTest
{
    @Test
    void shouldComputeSameCrcOnHeapAndOffHeapAsTheJdk()
    {
        final byte[] data = new byte[1000];
        for (int i = 0; i < data.length; i++)
        {
            data[i] = (byte)(i * 31);
        }
        final CRC32C jdk = new CRC32C();
        jdk.update(data, 3, 900);
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(1000));
        direct.putBytes(0, data);
        assertEquals((int)jdk.getValue(), Frame.crc32c(new UnsafeBuffer(data), 3, 900));
        assertEquals((int)jdk.getValue(), Frame.crc32c(direct, 3, 900));
        assertEquals((int)jdk.getValue(), Frame.crc32c(new UnsafeBuffer(data, 3, 900), 0, 900));
    }

    @Test
    void shouldWrapAndVerifyFrame()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        buffer.putLong(Frame.HEADER_LENGTH, 0x0102030405060708L);
        final int frameLength = Frame.wrap(buffer, 0, 8);
        assertEquals(16, frameLength);
        assertEquals(12, buffer.getInt(Frame.LENGTH_OFFSET, Frame.BYTE_ORDER));
        assertEquals(8, Frame.messageLength(buffer.getInt(0, Frame.BYTE_ORDER)));
        assertTrue(Frame.isCrcValid(buffer, 0, 8));
        buffer.putByte(Frame.HEADER_LENGTH + 2, (byte)0);
        assertFalse(Frame.isCrcValid(buffer, 0, 8));
    }

    @Test
    void shouldMapErrorCodesBothWays()
    {
        for (final ErrorCode code : ErrorCode.values())
        {
            assertEquals(code, ErrorCode.get(code.code()));
        }
        assertEquals(ErrorCode.UNKNOWN_REQUEST, ErrorCode.get(9999));
        assertEquals(ErrorCode.UNKNOWN_REQUEST, ErrorCode.get(-1));
    }
}
