package org.cnnc.compiler.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The wire format of {@link ProtoMessage}, byte for byte, against encodings worked out by hand. */
class OnnxProtoWriterTest {

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) b[i] = (byte) values[i];
        return b;
    }

    private static byte[] encode(ProtoMessage m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProtoWriter w = new ProtoWriter(out);
        m.writeTo(w);
        w.flush();
        return out.toByteArray();
    }

    @Test
    void encodesATensorLikeMessageByteForByte() throws IOException {
        ProtoMessage opset = new ProtoMessage().varint(2, 17);
        ProtoMessage m = new ProtoMessage()
                .varint(1, 3)                                 // dims = 3
                .varint(1, 300)                               // dims = 300: two-byte varint
                .varint(2, 1)                                 // data_type = FLOAT
                .packedVarints(7, new long[] {1, 300, -1})    // int64_data, packed
                .string(8, "w")                               // name
                .rawFloats(9, new float[] {1.0f, -2.0f})      // raw_data, little-endian float32
                .float32(2, 0.5f)                             // a float field: fixed32
                .varint(20, 7)                                // field 20: two-byte tag
                .message(8, opset);                           // a nested message
        byte[] expected = bytes(
                0x08, 0x03,
                0x08, 0xAC, 0x02,
                0x10, 0x01,
                0x3A, 0x0D, 0x01, 0xAC, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
                0x42, 0x01, 'w',
                0x4A, 0x08, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0,
                0x15, 0x00, 0x00, 0x00, 0x3F,
                0xA0, 0x01, 0x07,
                0x42, 0x02, 0x10, 0x11);
        assertArrayEquals(expected, encode(m));
        assertEquals(expected.length, m.size());
    }

    @Test
    void writesANegativeInt64AsTenBytes() throws IOException {
        ProtoMessage m = new ProtoMessage().varint(3, -2);
        assertArrayEquals(bytes(0x18, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01), encode(m));
        assertEquals(11, m.size());
    }

    @Test
    void prefixesLongFieldsWithMultiByteLengths() throws IOException {
        String name = "x".repeat(200);
        ProtoMessage inner = new ProtoMessage().string(1, name);
        ProtoMessage outer = new ProtoMessage().message(7, inner);
        byte[] out = encode(outer);
        // outer: tag 0x3A, length 203 = 0xCB 0x01; inner: tag 0x0A, length 200 = 0xC8 0x01, then the text
        assertArrayEquals(bytes(0x3A, 0xCB, 0x01, 0x0A, 0xC8, 0x01, 'x'), java.util.Arrays.copyOf(out, 7));
        assertEquals(3 + 203, out.length);
        assertEquals(out.length, outer.size());
    }

    @Test
    void streamsFloatDataLargerThanItsBuffer() throws IOException {
        float[] data = new float[100_000];
        for (int i = 0; i < data.length; i++) data[i] = i * 0.25f - 7;
        byte[] out = encode(new ProtoMessage().rawFloats(9, data));
        // tag, then 400000 = 0x80 0xB5 0x18 as a varint
        assertArrayEquals(bytes(0x4A, 0x80, 0xB5, 0x18), java.util.Arrays.copyOf(out, 4));
        assertEquals(4 + 400_000, out.length);
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(out, 4, 400_000).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float f : data) assertEquals(f, bb.getFloat());
    }

    @Test
    void refusesToChangeAMeasuredMessage() {
        ProtoMessage m = new ProtoMessage().varint(1, 1);
        m.size();
        assertThrows(IllegalStateException.class, () -> m.varint(2, 2));
    }
}
