package io.portask.protocol.buffer;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A {@link MutableDirectBuffer} over a {@code byte[]} or a {@link ByteBuffer} that needs no JVM flag: every access
 * goes through {@link VarHandle} views and the public {@code ByteBuffer} API, never {@code jdk.internal.misc.Unsafe}
 * (which Agrona's {@code UnsafeBuffer} reaches, so that an application using it must export
 * {@code java.base/jdk.internal.misc}). The client SDK uses it for everything it encodes and decodes; the SBE
 * codecs take it as they take any {@code DirectBuffer}. Multi-byte access is a single VarHandle get or set, which
 * the JIT compiles to a plain load or store, bounds-checked as Agrona's buffers are.
 * <p>
 * It cannot wrap a raw address ({@link #wrap(long, int)} throws); {@link #addressOffset()} answers as Agrona's
 * buffers do, for code that copies into an {@code UnsafeBuffer}, and so needs the flag only where that happens.
 * <p>
 * Threading: not thread-safe, as Agrona's buffers.
 */
public final class SafeBuffer extends AbstractSafeBuffer
{
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final VarHandle ARRAY_SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, NATIVE);
    private static final VarHandle ARRAY_INT = MethodHandles.byteArrayViewVarHandle(int[].class, NATIVE);
    private static final VarHandle ARRAY_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, NATIVE);
    private static final VarHandle BUFFER_SHORT = MethodHandles.byteBufferViewVarHandle(short[].class, NATIVE);
    private static final VarHandle BUFFER_INT = MethodHandles.byteBufferViewVarHandle(int[].class, NATIVE);
    private static final VarHandle BUFFER_LONG = MethodHandles.byteBufferViewVarHandle(long[].class, NATIVE);
    private static final byte[] EMPTY = new byte[0];

    private byte[] array;
    private ByteBuffer buffer;
    private int base;
    private int capacity;

    /**
     * An empty buffer, to {@code wrap} later.
     */
    public SafeBuffer()
    {
        wrap(EMPTY);
    }

    /**
     * @param array to wrap, whole.
     */
    public SafeBuffer(final byte[] array)
    {
        wrap(array);
    }

    /**
     * @param buffer to wrap, whole (heap or direct; its position and limit are ignored, as Agrona does).
     */
    public SafeBuffer(final ByteBuffer buffer)
    {
        wrap(buffer);
    }

    /**
     * @param buffer to wrap a view of.
     * @param offset first byte of the view.
     * @param length of the view.
     */
    public SafeBuffer(final DirectBuffer buffer, final int offset, final int length)
    {
        wrap(buffer, offset, length);
    }

    public void wrap(final byte[] array)
    {
        wrap(array, 0, array.length);
    }

    public void wrap(final byte[] array, final int offset, final int length)
    {
        Objects.checkFromIndexSize(offset, length, array.length);
        set(array, null, offset, length);
    }

    public void wrap(final ByteBuffer buffer)
    {
        wrap(buffer, 0, buffer.capacity());
    }

    public void wrap(final ByteBuffer buffer, final int offset, final int length)
    {
        Objects.checkFromIndexSize(offset, length, buffer.capacity());
        if (buffer.hasArray())
        {
            set(buffer.array(), buffer, buffer.arrayOffset() + offset, length);
        }
        else
        {
            set(null, buffer, offset, length);
        }
    }

    public void wrap(final DirectBuffer buffer)
    {
        wrap(buffer, 0, buffer.capacity());
    }

    public void wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        Objects.checkFromIndexSize(offset, length, buffer.capacity());
        final int at = buffer.wrapAdjustment() + offset;
        if (null != buffer.byteArray())
        {
            set(buffer.byteArray(), buffer.byteBuffer(), at, length);
        }
        else if (null != buffer.byteBuffer())
        {
            set(null, buffer.byteBuffer(), at, length);
        }
        else
        {
            throw new UnsupportedOperationException("SafeBuffer cannot view a raw address; use Agrona's UnsafeBuffer");
        }
    }

    public void wrap(final long address, final int length)
    {
        throw new UnsupportedOperationException("SafeBuffer cannot wrap a raw address; use Agrona's UnsafeBuffer");
    }

    private void set(final byte[] array, final ByteBuffer buffer, final int base, final int capacity)
    {
        this.array = array;
        this.buffer = buffer;
        this.base = base;
        this.capacity = capacity;
    }

    /**
     * The address Agrona's {@code UnsafeBuffer} would report for the same bytes. Only Unsafe-based code needs it,
     * and computing it needs the JVM flag that such code needs anyway.
     *
     * @return the array base offset plus the start, or the native address of the start.
     */
    public long addressOffset()
    {
        return null != array ? BufferUtil.ARRAY_BASE_OFFSET + base : BufferUtil.address(buffer) + base;
    }

    public byte[] byteArray()
    {
        return array;
    }

    public ByteBuffer byteBuffer()
    {
        return buffer;
    }

    public int wrapAdjustment()
    {
        return base;
    }

    public int capacity()
    {
        return capacity;
    }

    public boolean isExpandable()
    {
        return false;
    }

    public void checkLimit(final int limit)
    {
        if (limit > capacity)
        {
            throw new IndexOutOfBoundsException("limit=" + limit + " is beyond capacity=" + capacity);
        }
    }

    public void boundsCheck(final int index, final int length)
    {
        if (index < 0 || length < 0 || (long)index + length > capacity)
        {
            throw new IndexOutOfBoundsException("index=" + index + " length=" + length + " capacity=" + capacity);
        }
    }

    private int at(final int index, final int length)
    {
        if (SHOULD_BOUNDS_CHECK)
        {
            boundsCheck(index, length);
        }
        return base + index;
    }

    public byte getByte(final int index)
    {
        final int at = at(index, Byte.BYTES);
        return null != array ? array[at] : buffer.get(at);
    }

    public void putByte(final int index, final byte value)
    {
        final int at = at(index, Byte.BYTES);
        if (null != array)
        {
            array[at] = value;
        }
        else
        {
            buffer.put(at, value);
        }
    }

    public short getShort(final int index)
    {
        final int at = at(index, Short.BYTES);
        return null != array ? (short)ARRAY_SHORT.get(array, at) : (short)BUFFER_SHORT.get(buffer, at);
    }

    public void putShort(final int index, final short value)
    {
        final int at = at(index, Short.BYTES);
        if (null != array)
        {
            ARRAY_SHORT.set(array, at, value);
        }
        else
        {
            BUFFER_SHORT.set(buffer, at, value);
        }
    }

    public int getInt(final int index)
    {
        final int at = at(index, Integer.BYTES);
        return null != array ? (int)ARRAY_INT.get(array, at) : (int)BUFFER_INT.get(buffer, at);
    }

    public void putInt(final int index, final int value)
    {
        final int at = at(index, Integer.BYTES);
        if (null != array)
        {
            ARRAY_INT.set(array, at, value);
        }
        else
        {
            BUFFER_INT.set(buffer, at, value);
        }
    }

    public long getLong(final int index)
    {
        final int at = at(index, Long.BYTES);
        return null != array ? (long)ARRAY_LONG.get(array, at) : (long)BUFFER_LONG.get(buffer, at);
    }

    public void putLong(final int index, final long value)
    {
        final int at = at(index, Long.BYTES);
        if (null != array)
        {
            ARRAY_LONG.set(array, at, value);
        }
        else
        {
            BUFFER_LONG.set(buffer, at, value);
        }
    }

    public short getShort(final int index, final ByteOrder order)
    {
        final short value = getShort(index);
        return NATIVE == order ? value : Short.reverseBytes(value);
    }

    public void putShort(final int index, final short value, final ByteOrder order)
    {
        putShort(index, NATIVE == order ? value : Short.reverseBytes(value));
    }

    public int getInt(final int index, final ByteOrder order)
    {
        final int value = getInt(index);
        return NATIVE == order ? value : Integer.reverseBytes(value);
    }

    public void putInt(final int index, final int value, final ByteOrder order)
    {
        putInt(index, NATIVE == order ? value : Integer.reverseBytes(value));
    }

    public long getLong(final int index, final ByteOrder order)
    {
        final long value = getLong(index);
        return NATIVE == order ? value : Long.reverseBytes(value);
    }

    public void putLong(final int index, final long value, final ByteOrder order)
    {
        putLong(index, NATIVE == order ? value : Long.reverseBytes(value));
    }

    public void getBytes(final int index, final byte[] dst, final int offset, final int length)
    {
        final int at = at(index, length);
        if (null != array)
        {
            System.arraycopy(array, at, dst, offset, length);
        }
        else
        {
            buffer.get(at, dst, offset, length);
        }
    }

    public void getBytes(final int index, final ByteBuffer dst, final int dstOffset, final int length)
    {
        final int at = at(index, length);
        if (null != array)
        {
            dst.put(dstOffset, array, at, length);
        }
        else
        {
            dst.put(dstOffset, buffer, at, length);
        }
    }

    public void putBytes(final int index, final byte[] src, final int offset, final int length)
    {
        final int at = at(index, length);
        if (null != array)
        {
            System.arraycopy(src, offset, array, at, length);
        }
        else
        {
            buffer.put(at, src, offset, length);
        }
    }

    public void putBytes(final int index, final ByteBuffer src, final int srcIndex, final int length)
    {
        final int at = at(index, length);
        if (null != array)
        {
            src.get(srcIndex, array, at, length);
        }
        else
        {
            buffer.put(at, src, srcIndex, length);
        }
    }

    public void putBytes(final int index, final DirectBuffer src, final int srcIndex, final int length)
    {
        final int at = at(index, length);
        if (null != array)
        {
            src.getBytes(srcIndex, array, at, length);
        }
        else
        {
            src.getBytes(srcIndex, buffer, at, length);
        }
    }

    public void setMemory(final int index, final int length, final byte value)
    {
        final int at = at(index, length);
        if (null != array)
        {
            Arrays.fill(array, at, at + length, value);
        }
        else
        {
            for (int i = at, end = at + length; i < end; i++)
            {
                buffer.put(i, value);
            }
        }
    }

    /**
     * @param other to compare with.
     * @return true when {@code other} is a {@code DirectBuffer} of the same capacity and bytes.
     */
    public boolean equals(final Object other)
    {
        return other instanceof DirectBuffer && 0 == compareTo((DirectBuffer)other) &&
            capacity == ((DirectBuffer)other).capacity();
    }

    /**
     * @return a hash of the bytes in view.
     */
    public int hashCode()
    {
        int hash = 19;
        for (int i = 0; i < capacity; i++)
        {
            hash = 31 * hash + getByte(i);
        }
        return hash;
    }

    /**
     * @param that buffer to compare with.
     * @return byte-wise (signed) comparison of the common length, then the shorter first.
     */
    public int compareTo(final DirectBuffer that)
    {
        final int length = Math.min(capacity, that.capacity());
        for (int i = 0; i < length; i++)
        {
            final int cmp = Byte.compare(getByte(i), that.getByte(i));
            if (0 != cmp)
            {
                return cmp;
            }
        }
        return Integer.compare(capacity, that.capacity());
    }

    /**
     * @return the kind of memory and the capacity.
     */
    public String toString()
    {
        return "SafeBuffer{" + (null != array ? "array" : "buffer") + ", capacity=" + capacity + '}';
    }
}
