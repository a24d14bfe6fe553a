package io.portask.protocol.buffer;

import io.portask.protocol.Frame;
import org.agrona.AsciiNumberFormatException;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * SafeBuffer against Agrona's UnsafeBuffer, the reference: the same operations leave the same bytes and read the same
 * values, over every kind of memory it can view; the two copy into each other; strings and ASCII numbers are laid out
 * as Agrona lays them out. (These tests run with the broker's JVM flags so that UnsafeBuffer can be the reference;
 * SdkWithoutFlagsSystemTest runs the SDK without them.)
 */
class SafeBufferTest
{
    private static final int CAPACITY = 256;
    private static final List<ByteOrder> ORDERS = List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN);

    /** Every kind of memory a SafeBuffer can view, each CAPACITY bytes. */
    private static final List<IntFunction<SafeBuffer>> KINDS = List.of(
        capacity -> new SafeBuffer(new byte[capacity]),
        capacity -> new SafeBuffer(ByteBuffer.allocateDirect(capacity)),
        capacity -> new SafeBuffer(ByteBuffer.wrap(new byte[capacity + 16], 16, capacity).slice()),
        capacity -> new SafeBuffer(new SafeBuffer(ByteBuffer.allocateDirect(capacity + 8)), 8, capacity),
        capacity -> new SafeBuffer(new UnsafeBuffer(new byte[capacity + 5]), 5, capacity));

    @Test
    void shouldLeaveTheSameBytesAndReadTheSameValuesAsUnsafeBuffer()
    {
        final Random random = new Random(42);
        for (final IntFunction<SafeBuffer> kind : KINDS)
        {
            final SafeBuffer safe = kind.apply(CAPACITY);
            final UnsafeBuffer reference = new UnsafeBuffer(new byte[CAPACITY]);
            for (int i = 0; i < 10_000; i++)
            {
                final ByteOrder order = ORDERS.get(random.nextInt(2));
                final int index = random.nextInt(CAPACITY - 8);
                final long value = random.nextLong();
                final int length = random.nextInt(8);
                switch (random.nextInt(9))
                {
                    case 0 -> both(safe, reference, b -> b.putByte(index, (byte)value));
                    case 1 -> both(safe, reference, b -> b.putShort(index, (short)value, order));
                    case 2 -> both(safe, reference, b -> b.putInt(index, (int)value, order));
                    case 3 -> both(safe, reference, b -> b.putLong(index, value, order));
                    case 4 -> both(safe, reference, b -> b.putChar(index, (char)value));
                    case 5 -> both(safe, reference, b -> b.putDouble(index, Double.longBitsToDouble(value), order));
                    case 6 -> both(safe, reference, b -> b.putFloat(index, Float.intBitsToFloat((int)value)));
                    case 7 -> both(safe, reference, b -> b.setMemory(index, length, (byte)value));
                    default -> both(safe, reference, b -> b.putLong(index, value));
                }
                assertEquals(reference.getLong(index, order), safe.getLong(index, order));
                assertEquals(reference.getInt(index + 1, order), safe.getInt(index + 1, order));
                assertEquals(reference.getShort(index + 2, order), safe.getShort(index + 2, order));
                assertEquals(reference.getChar(index + 3), safe.getChar(index + 3));
                assertEquals(reference.getByte(index), safe.getByte(index));
            }
            assertArrayEquals(bytes(reference), bytes(safe), safe.toString());
            assertEquals(0, safe.compareTo(reference));
            assertEquals(safe, new SafeBuffer(bytes(reference)));
            assertEquals(safe.hashCode(), new SafeBuffer(bytes(reference)).hashCode());
        }
    }

    @Test
    void shouldCopyToAndFromUnsafeBuffersAndByteBuffers()
    {
        final byte[] source = new byte[CAPACITY];
        new Random(7).nextBytes(source);
        for (final IntFunction<SafeBuffer> kind : KINDS)
        {
            final SafeBuffer safe = kind.apply(CAPACITY);
            safe.putBytes(0, new UnsafeBuffer(source), 0, CAPACITY);
            assertArrayEquals(source, bytes(safe));

            final UnsafeBuffer heap = new UnsafeBuffer(new byte[CAPACITY]);
            final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY));
            heap.putBytes(3, safe, 3, CAPACITY - 3);
            safe.getBytes(0, direct, 0, CAPACITY);
            assertEquals(0, direct.compareTo(new UnsafeBuffer(source)));
            assertEquals(safe.getLong(3), heap.getLong(3));

            final ByteBuffer out = ByteBuffer.allocate(CAPACITY + 1);
            out.position(1);
            safe.getBytes(0, out, CAPACITY);
            assertEquals(CAPACITY + 1, out.position());
            safe.setMemory(0, CAPACITY, (byte)0);
            safe.putBytes(0, out.flip().position(1), CAPACITY);
            assertArrayEquals(source, bytes(safe));
        }
    }

    @Test
    void shouldLayOutStringsAsAgronaDoes()
    {
        for (final IntFunction<SafeBuffer> kind : KINDS)
        {
            final SafeBuffer safe = kind.apply(CAPACITY);
            final UnsafeBuffer reference = new UnsafeBuffer(new byte[CAPACITY]);
            for (final ByteOrder order : ORDERS)
            {
                both(safe, reference, b -> b.putStringAscii(0, "ascii é", order));
                both(safe, reference, b -> b.putStringUtf8(20, "utf-8 é ✓", order));
                both(safe, reference, b -> b.putStringWithoutLengthAscii(60, "abcdef", 2, 3));
                both(safe, reference, b -> b.putStringWithoutLengthUtf8(70, "ü"));
                assertArrayEquals(bytes(reference), bytes(safe));
                assertEquals("ascii ?", safe.getStringAscii(0, order));
                assertEquals("utf-8 é ✓", safe.getStringUtf8(20, order));
                assertEquals(reference.getStringWithoutLengthAscii(60, 3), safe.getStringWithoutLengthAscii(60, 3));
                assertEquals("ü", safe.getStringWithoutLengthUtf8(70, 2));
            }
            both(safe, reference, b -> b.putStringAscii(100, (String)null));
            assertEquals("", safe.getStringAscii(100));
            final StringBuilder appended = new StringBuilder();
            assertEquals(7, safe.getStringAscii(0, appended, ByteOrder.BIG_ENDIAN));
            assertEquals("ascii ?", appended.toString());
        }
    }

    @Test
    void shouldWriteAndParseAsciiNumbersAsAgronaDoes()
    {
        final SafeBuffer safe = new SafeBuffer(new byte[64]);
        final UnsafeBuffer reference = new UnsafeBuffer(new byte[64]);
        for (final long value : new long[]{0, 7, -7, 1234567, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE,
            Long.MIN_VALUE})
        {
            final int length = safe.putLongAscii(0, value);
            assertEquals(reference.putLongAscii(0, value), length);
            assertArrayEquals(bytes(reference), bytes(safe));
            assertEquals(value, safe.parseLongAscii(0, length));
            if (value == (int)value)
            {
                assertEquals(reference.putIntAscii(0, (int)value), safe.putIntAscii(0, (int)value));
                assertEquals(reference.parseIntAscii(0, length), safe.parseIntAscii(0, length));
            }
        }
        safe.putNaturalPaddedIntAscii(0, 6, 42);
        assertEquals("000042", safe.getStringWithoutLengthAscii(0, 6));
        assertEquals(2, safe.putNaturalIntAsciiFromEnd(987, 5));
        assertEquals(987, safe.parseNaturalIntAscii(2, 3));
        assertThrows(NumberFormatException.class, () -> safe.putNaturalPaddedIntAscii(0, 2, 420));
        for (final String bad : new String[]{"-", "12a", "99999999999999999999", "-5"})
        {
            safe.putStringWithoutLengthAscii(0, bad);
            assertThrows(AsciiNumberFormatException.class, () -> safe.parseNaturalLongAscii(0, bad.length()), bad);
        }
        assertThrows(AsciiNumberFormatException.class, () -> safe.parseIntAscii(0, 0));
    }

    @Test
    void shouldCheckBoundsAndRefuseRawAddresses()
    {
        for (final IntFunction<SafeBuffer> kind : KINDS)
        {
            final SafeBuffer safe = kind.apply(CAPACITY);
            assertThrows(IndexOutOfBoundsException.class, () -> safe.getInt(CAPACITY - 3));
            assertThrows(IndexOutOfBoundsException.class, () -> safe.putLong(-1, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> safe.putBytes(CAPACITY - 1, new byte[2]));
            assertThrows(IndexOutOfBoundsException.class, () -> safe.checkLimit(CAPACITY + 1));
        }
        assertThrows(UnsupportedOperationException.class, () -> new SafeBuffer().wrap(1024L, 8));
        final UnsafeBuffer raw = new UnsafeBuffer(ByteBuffer.allocateDirect(8));
        raw.wrap(raw.addressOffset(), 8);
        assertThrows(UnsupportedOperationException.class, () -> new SafeBuffer(raw, 0, 8));
    }

    @Test
    void shouldAgreeWithUnsafeBufferOnFrameCrcsAndAddresses()
    {
        final byte[] message = new byte[5000];
        new Random(3).nextBytes(message);
        final int expected = Frame.crc32c(new UnsafeBuffer(message), 0, message.length);
        for (final IntFunction<SafeBuffer> kind : KINDS)
        {
            final SafeBuffer safe = kind.apply(message.length);
            safe.putBytes(0, message);
            assertEquals(expected, Frame.crc32c(safe, 0, message.length), safe.toString());
            assertEquals(0, new UnsafeBuffer(safe, 0, message.length).compareTo(new UnsafeBuffer(message)));
        }
    }

    private static void both(final SafeBuffer safe, final UnsafeBuffer reference, final Op op)
    {
        op.apply(safe);
        op.apply(reference);
    }

    private static byte[] bytes(final MutableDirectBuffer buffer)
    {
        final byte[] bytes = new byte[buffer.capacity()];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    @FunctionalInterface
    private interface Op
    {
        void apply(MutableDirectBuffer buffer);
    }
}
