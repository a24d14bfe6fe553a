package io.portask.protocol.buffer;

import org.agrona.AsciiNumberFormatException;
import org.agrona.MutableDirectBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The part of {@link MutableDirectBuffer} that can be said in terms of a few primitive accessors: chars, floats and
 * doubles through shorts, ints and longs; position-relative bulk copies; strings (a native-order int length, then
 * the bytes, as Agrona lays them out; ASCII above 127 becomes '?'); ASCII numbers. {@link SafeBuffer} supplies the
 * primitives. Strings and ASCII numbers allocate as Agrona's do; they are not on any Portask hot path.
 */
abstract class AbstractSafeBuffer implements MutableDirectBuffer
{
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final byte ZERO = '0';

    public char getChar(final int index)
    {
        return (char)getShort(index);
    }

    public char getChar(final int index, final ByteOrder order)
    {
        return (char)getShort(index, order);
    }

    public void putChar(final int index, final char value)
    {
        putShort(index, (short)value);
    }

    public void putChar(final int index, final char value, final ByteOrder order)
    {
        putShort(index, (short)value, order);
    }

    public float getFloat(final int index)
    {
        return Float.intBitsToFloat(getInt(index));
    }

    public float getFloat(final int index, final ByteOrder order)
    {
        return Float.intBitsToFloat(getInt(index, order));
    }

    public void putFloat(final int index, final float value)
    {
        putInt(index, Float.floatToRawIntBits(value));
    }

    public void putFloat(final int index, final float value, final ByteOrder order)
    {
        putInt(index, Float.floatToRawIntBits(value), order);
    }

    public double getDouble(final int index)
    {
        return Double.longBitsToDouble(getLong(index));
    }

    public double getDouble(final int index, final ByteOrder order)
    {
        return Double.longBitsToDouble(getLong(index, order));
    }

    public void putDouble(final int index, final double value)
    {
        putLong(index, Double.doubleToRawLongBits(value));
    }

    public void putDouble(final int index, final double value, final ByteOrder order)
    {
        putLong(index, Double.doubleToRawLongBits(value), order);
    }

    public void getBytes(final int index, final byte[] dst)
    {
        getBytes(index, dst, 0, dst.length);
    }

    public void getBytes(final int index, final MutableDirectBuffer dst, final int dstIndex, final int length)
    {
        dst.putBytes(dstIndex, this, index, length);
    }

    public void getBytes(final int index, final ByteBuffer dst, final int length)
    {
        final int position = dst.position();
        getBytes(index, dst, position, length);
        dst.position(position + length);
    }

    public void putBytes(final int index, final byte[] src)
    {
        putBytes(index, src, 0, src.length);
    }

    public void putBytes(final int index, final ByteBuffer src, final int length)
    {
        final int position = src.position();
        putBytes(index, src, position, length);
        src.position(position + length);
    }

    public String getStringAscii(final int index)
    {
        return getStringWithoutLengthAscii(index + STR_HEADER_LEN, getInt(index));
    }

    public String getStringAscii(final int index, final ByteOrder order)
    {
        return getStringWithoutLengthAscii(index + STR_HEADER_LEN, getInt(index, order));
    }

    public String getStringAscii(final int index, final int length)
    {
        return getStringWithoutLengthAscii(index + STR_HEADER_LEN, length);
    }

    public int getStringAscii(final int index, final Appendable appendable)
    {
        return getStringWithoutLengthAscii(index + STR_HEADER_LEN, getInt(index), appendable);
    }

    public int getStringAscii(final int index, final Appendable appendable, final ByteOrder order)
    {
        return getStringWithoutLengthAscii(index + STR_HEADER_LEN, getInt(index, order), appendable);
    }

    public int getStringAscii(final int index, final int length, final Appendable appendable)
    {
        return getStringWithoutLengthAscii(index + STR_HEADER_LEN, length, appendable);
    }

    public String getStringWithoutLengthAscii(final int index, final int length)
    {
        return new String(bytes(index, length), StandardCharsets.US_ASCII);
    }

    public int getStringWithoutLengthAscii(final int index, final int length, final Appendable appendable)
    {
        boundsCheck(index, length);
        try
        {
            for (int i = 0; i < length; i++)
            {
                final char c = (char)getByte(index + i);
                appendable.append(c > 127 ? '?' : c);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return length;
    }

    public int putStringAscii(final int index, final String value)
    {
        return putStringAscii(index, (CharSequence)value, NATIVE);
    }

    public int putStringAscii(final int index, final CharSequence value)
    {
        return putStringAscii(index, value, NATIVE);
    }

    public int putStringAscii(final int index, final String value, final ByteOrder order)
    {
        return putStringAscii(index, (CharSequence)value, order);
    }

    public int putStringAscii(final int index, final CharSequence value, final ByteOrder order)
    {
        final int length = null == value ? 0 : value.length();
        boundsCheck(index, STR_HEADER_LEN + length);
        putInt(index, length, order);
        return STR_HEADER_LEN + putStringWithoutLengthAscii(index + STR_HEADER_LEN, value, 0, length);
    }

    public int putStringWithoutLengthAscii(final int index, final String value)
    {
        return putStringWithoutLengthAscii(index, (CharSequence)value, 0, Integer.MAX_VALUE);
    }

    public int putStringWithoutLengthAscii(final int index, final CharSequence value)
    {
        return putStringWithoutLengthAscii(index, value, 0, Integer.MAX_VALUE);
    }

    public int putStringWithoutLengthAscii(final int index, final String value, final int valueOffset, final int length)
    {
        return putStringWithoutLengthAscii(index, (CharSequence)value, valueOffset, length);
    }

    public int putStringWithoutLengthAscii(
        final int index, final CharSequence value, final int valueOffset, final int length)
    {
        if (null == value)
        {
            return 0;
        }
        final int count = Math.min(value.length() - valueOffset, length);
        boundsCheck(index, count);
        for (int i = 0; i < count; i++)
        {
            final char c = value.charAt(valueOffset + i);
            putByte(index + i, (byte)(c > 127 ? '?' : c));
        }
        return count;
    }

    public String getStringUtf8(final int index)
    {
        return getStringWithoutLengthUtf8(index + STR_HEADER_LEN, getInt(index));
    }

    public String getStringUtf8(final int index, final ByteOrder order)
    {
        return getStringWithoutLengthUtf8(index + STR_HEADER_LEN, getInt(index, order));
    }

    public String getStringUtf8(final int index, final int length)
    {
        return getStringWithoutLengthUtf8(index + STR_HEADER_LEN, length);
    }

    public String getStringWithoutLengthUtf8(final int index, final int length)
    {
        return new String(bytes(index, length), StandardCharsets.UTF_8);
    }

    public int putStringUtf8(final int index, final String value)
    {
        return putStringUtf8(index, value, NATIVE, Integer.MAX_VALUE);
    }

    public int putStringUtf8(final int index, final String value, final ByteOrder order)
    {
        return putStringUtf8(index, value, order, Integer.MAX_VALUE);
    }

    public int putStringUtf8(final int index, final String value, final int maxEncodedLength)
    {
        return putStringUtf8(index, value, NATIVE, maxEncodedLength);
    }

    public int putStringUtf8(final int index, final String value, final ByteOrder order, final int maxEncodedLength)
    {
        final byte[] bytes = null == value ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > maxEncodedLength)
        {
            throw new IllegalArgumentException("Encoded string larger than maximum size: " + maxEncodedLength);
        }
        boundsCheck(index, STR_HEADER_LEN + bytes.length);
        putInt(index, bytes.length, order);
        putBytes(index + STR_HEADER_LEN, bytes);
        return STR_HEADER_LEN + bytes.length;
    }

    public int putStringWithoutLengthUtf8(final int index, final String value)
    {
        final byte[] bytes = null == value ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
        putBytes(index, bytes);
        return bytes.length;
    }

    public int parseNaturalIntAscii(final int index, final int length)
    {
        final long value = parseLongAscii(index, length);
        if (value < 0 || value > Integer.MAX_VALUE || '-' == getByte(index))
        {
            throw notANumber("natural int", index, length);
        }
        return (int)value;
    }

    public long parseNaturalLongAscii(final int index, final int length)
    {
        final long value = parseLongAscii(index, length);
        if (value < 0 || '-' == getByte(index))
        {
            throw notANumber("natural long", index, length);
        }
        return value;
    }

    public int parseIntAscii(final int index, final int length)
    {
        final long value = parseLongAscii(index, length);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)
        {
            throw notANumber("int", index, length);
        }
        return (int)value;
    }

    public long parseLongAscii(final int index, final int length)
    {
        boundsCheck(index, length);
        final boolean negative = length > 0 && '-' == getByte(index);
        final int first = negative ? index + 1 : index;
        if (first >= index + length)
        {
            throw notANumber("long", index, length);
        }
        long value = 0;
        try
        {
            for (int i = first, end = index + length; i < end; i++)
            {
                final int digit = getByte(i) - ZERO;
                if (digit < 0 || digit > 9)
                {
                    throw notANumber("long", index, length);
                }
                value = Math.subtractExact(Math.multiplyExact(value, 10L), digit);
            }
            return negative ? value : Math.negateExact(value);
        }
        catch (final ArithmeticException ex)
        {
            throw notANumber("long", index, length);
        }
    }

    private AsciiNumberFormatException notANumber(final String kind, final int index, final int length)
    {
        return new AsciiNumberFormatException("error parsing " + kind + ": " +
            getStringWithoutLengthAscii(index, Math.max(0, length)));
    }

    public int putIntAscii(final int index, final int value)
    {
        return putStringWithoutLengthAscii(index, Integer.toString(value));
    }

    public int putNaturalIntAscii(final int index, final int value)
    {
        return putIntAscii(index, value);
    }

    public int putLongAscii(final int index, final long value)
    {
        return putStringWithoutLengthAscii(index, Long.toString(value));
    }

    public int putNaturalLongAscii(final int index, final long value)
    {
        return putLongAscii(index, value);
    }

    public void putNaturalPaddedIntAscii(final int offset, final int length, final int value)
    {
        boundsCheck(offset, length);
        int remainder = value;
        for (int index = offset + length - 1; index >= offset; index--)
        {
            putByte(index, (byte)(ZERO + remainder % 10));
            remainder /= 10;
        }
        if (0 != remainder)
        {
            throw new NumberFormatException("Cannot write " + value + " in " + length + " bytes");
        }
    }

    public int putNaturalIntAsciiFromEnd(final int value, final int endExclusive)
    {
        int index = endExclusive;
        int remainder = value;
        do
        {
            putByte(--index, (byte)(ZERO + remainder % 10));
            remainder /= 10;
        }
        while (remainder > 0);
        return index;
    }

    private byte[] bytes(final int index, final int length)
    {
        final byte[] bytes = new byte[length];
        getBytes(index, bytes);
        return bytes;
    }
}
