package org.cnnc.compiler.export;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A protocol-buffer message to be written: its fields in the order they were added, each able to
 * tell its encoded size before it is written. Nested messages are length-delimited, so sizes are
 * computed (once, bottom up) before anything is streamed; large float data is held by reference
 * and encoded straight onto the stream, never copied into a byte array.
 */
final class ProtoMessage {
    private final List<Field> fields = new ArrayList<>();
    private long size = -1;

    /** An int32, int64 or enum field, written as a varint (a negative value takes ten bytes). */
    ProtoMessage varint(int field, long value) {
        return add(new Varint(field, value));
    }

    /** A {@code float} field (wire type fixed32). */
    ProtoMessage float32(int field, float value) {
        return add(new Fixed32(field, Float.floatToRawIntBits(value)));
    }

    /** A {@code string} field in UTF-8. */
    ProtoMessage string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoMessage bytes(int field, byte[] value) {
        return add(new Bytes(field, value));
    }

    ProtoMessage message(int field, ProtoMessage value) {
        return add(new Nested(field, value));
    }

    /** A repeated integer field declared {@code [packed = true]}: one length-delimited run of varints. */
    ProtoMessage packedVarints(int field, long[] values) {
        return add(new PackedVarints(field, values.clone()));
    }

    /**
     * A {@code bytes} field holding the floats as little-endian float32 (ONNX's {@code raw_data}).
     * The array is referenced, not copied: it must not change before the message is written.
     */
    ProtoMessage rawFloats(int field, float[] values) {
        return add(new RawFloats(field, values));
    }

    /** The encoded length of this message's fields, without a tag or length prefix of its own. */
    long size() {
        if (size < 0) {
            long n = 0;
            for (Field f : fields) n += f.size();
            size = n;
        }
        return size;
    }

    void writeTo(ProtoWriter w) throws IOException {
        for (Field f : fields) f.write(w);
    }

    private ProtoMessage add(Field f) {
        if (size >= 0) throw new IllegalStateException("the message was measured and can no longer change");
        fields.add(f);
        return this;
    }

    private sealed interface Field {
        long size();

        void write(ProtoWriter w) throws IOException;
    }

    private static long lengthDelimited(int field, long length) {
        return ProtoWriter.tagSize(field) + ProtoWriter.varintSize(length) + length;
    }

    private record Varint(int field, long value) implements Field {
        public long size() {
            return ProtoWriter.tagSize(field) + ProtoWriter.varintSize(value);
        }

        public void write(ProtoWriter w) throws IOException {
            w.tag(field, ProtoWriter.VARINT);
            w.varint(value);
        }
    }

    private record Fixed32(int field, int bits) implements Field {
        public long size() {
            return ProtoWriter.tagSize(field) + 4;
        }

        public void write(ProtoWriter w) throws IOException {
            w.tag(field, ProtoWriter.FIXED32);
            w.fixed32(bits);
        }
    }

    private record Bytes(int field, byte[] value) implements Field {
        public long size() {
            return lengthDelimited(field, value.length);
        }

        public void write(ProtoWriter w) throws IOException {
            w.tag(field, ProtoWriter.LEN);
            w.varint(value.length);
            w.bytes(value);
        }
    }

    private record Nested(int field, ProtoMessage value) implements Field {
        public long size() {
            return lengthDelimited(field, value.size());
        }

        public void write(ProtoWriter w) throws IOException {
            w.tag(field, ProtoWriter.LEN);
            w.varint(value.size());
            value.writeTo(w);
        }
    }

    private record PackedVarints(int field, long[] values) implements Field {
        long payload() {
            long n = 0;
            for (long v : values) n += ProtoWriter.varintSize(v);
            return n;
        }

        public long size() {
            return lengthDelimited(field, payload());
        }

        public void write(ProtoWriter w) throws IOException {
            w.tag(field, ProtoWriter.LEN);
            w.varint(payload());
            for (long v : values) w.varint(v);
        }
    }

    private record RawFloats(int field, float[] values) implements Field {
        public long size() {
            return lengthDelimited(field, (long) values.length * Float.BYTES);
        }

        public void write(ProtoWriter w) throws IOException {
            w.tag(field, ProtoWriter.LEN);
            w.varint((long) values.length * Float.BYTES);
            w.floatsLittleEndian(values);
        }
    }
}
