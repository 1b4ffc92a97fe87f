package org.cnnc.compiler.export;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The protocol-buffer wire format onto a stream: tags, base-128 varints, little-endian fixed32
 * and length-delimited bytes. It knows nothing of messages; {@link ProtoMessage} says what to
 * write and how long it is.
 */
final class ProtoWriter {
    static final int VARINT = 0;
    static final int LEN = 2;
    static final int FIXED32 = 5;

    private final OutputStream out;
    private final byte[] buf = new byte[1 << 16];
    private int pos;

    ProtoWriter(OutputStream out) {
        this.out = out;
    }

    void tag(int field, int wireType) throws IOException {
        varint((long) field << 3 | wireType);
    }

    /** A varint; a negative value takes ten bytes (two's complement), as int64 fields do. */
    void varint(long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        put((byte) v);
    }

    void fixed32(int v) throws IOException {
        put((byte) v);
        put((byte) (v >>> 8));
        put((byte) (v >>> 16));
        put((byte) (v >>> 24));
    }

    void bytes(byte[] b) throws IOException {
        if (b.length > buf.length - pos) {
            flushBuffer();
            if (b.length > buf.length) {
                out.write(b);
                return;
            }
        }
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    /** The floats as IEEE 754 float32, little-endian, with no length prefix. */
    void floatsLittleEndian(float[] values) throws IOException {
        for (float f : values) {
            if (buf.length - pos < Float.BYTES) flushBuffer();
            int bits = Float.floatToRawIntBits(f);
            buf[pos] = (byte) bits;
            buf[pos + 1] = (byte) (bits >>> 8);
            buf[pos + 2] = (byte) (bits >>> 16);
            buf[pos + 3] = (byte) (bits >>> 24);
            pos += Float.BYTES;
        }
    }

    /** Writes out what is buffered and flushes the stream. */
    void flush() throws IOException {
        flushBuffer();
        out.flush();
    }

    private void put(byte b) throws IOException {
        if (pos == buf.length) flushBuffer();
        buf[pos++] = b;
    }

    private void flushBuffer() throws IOException {
        out.write(buf, 0, pos);
        pos = 0;
    }

    static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            n++;
            v >>>= 7;
        }
        return n;
    }

    static int tagSize(int field) {
        return varintSize((long) field << 3);
    }
}
