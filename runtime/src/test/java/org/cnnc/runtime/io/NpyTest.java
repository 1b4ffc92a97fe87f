package org.cnnc.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NpyTest {
    @TempDir
    Path dir;

    /** Magic, version, little-endian header length (2 bytes for 1.0, else 4), header text, data. */
    private static byte[] npy(int major, String header, byte[] data) {
        byte[] text = header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(8 + (major == 1 ? 2 : 4) + text.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) b.putShort((short) text.length);
        else b.putInt(text.length);
        return b.put(text).put(data).array();
    }

    private static String dict(String descr, String fortran, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
    }

    private static byte[] floats(ByteOrder order, float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(order);
        for (float v : values) b.putFloat(v);
        return b.array();
    }

    private static NpyArray read(byte[] bytes) throws IOException {
        return Npy.read(new ByteArrayInputStream(bytes), "x.npy");
    }

    @Test
    void writesTheBytesTheFormatSpecifies() throws IOException {
        // 10 bytes of prefix + 59 of dict + 58 spaces + newline = 128, a multiple of 64.
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + " ".repeat(58) + "\n";
        assertEquals(118, header.length());
        byte[] expected = npy(1, header, floats(ByteOrder.LITTLE_ENDIAN, 0, 0.25f, -0.5f, 1, 1e-3f, 3));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, new NpyArray(new int[] {2, 3}, new float[] {0, 0.25f, -0.5f, 1, 1e-3f, 3}));
        assertArrayEquals(expected, out.toByteArray());
    }

    @Test
    void writesOneDimensionalAndScalarShapesAsPythonTuples() throws IOException {
        for (int[] shape : new int[][] {{4}, {}, {1, 2, 2}}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Npy.write(out, new NpyArray(shape, new float[shape.length == 0 ? 1 : 4]));
            byte[] bytes = out.toByteArray();
            int headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
            assertEquals(0, (10 + headerLength) % 64, "data 64-byte aligned");
            String header = new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1);
            String tuple = shape.length == 0 ? "()" : shape.length == 1 ? "(4,)" : "(1, 2, 2)";
            assertTrue(header.startsWith(dict("<f4", "False", tuple)), header);
            assertTrue(header.endsWith(" \n"), header);
        }
    }

    @Test
    void readsHandAssembledFilesOfEveryVersion() throws IOException {
        byte[] data = floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4);
        String header = dict("<f4", "False", "(2, 2)") + "    \n";
        for (int major = 1; major <= 3; major++) {
            NpyArray a = read(npy(major, header, data));
            assertArrayEquals(new int[] {2, 2}, a.shape());
            assertArrayEquals(new float[] {1, 2, 3, 4}, a.data());
        }
    }

    @Test
    void readsHeaderKeysInAnyOrderAndUtf8HeadersOfVersionThree() throws IOException {
        String header = "{\"shape\": (1,), 'fortran_order': False, 'descr': '<f4'}\n";
        NpyArray a = read(npy(3, header, floats(ByteOrder.LITTLE_ENDIAN, 9)));
        assertArrayEquals(new float[] {9}, a.data());
        IOException e = assertThrows(IOException.class,
                () -> read(npy(3, dict("<f4", "False", "(1,)").replace("}", "'\u00e9': 1, }"), new byte[4])));
        assertTrue(e.getMessage().contains("\u00e9"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"<f2", "<f4", ">f4", "<f8", ">f8", "<i4", ">i4", "<i8", ">i8"})
    void convertsEachSupportedDtypeToFloat(String descr) throws IOException {
        double[] values = {1.5, -2.0, 0.0, 1024.0, -3.0};
        ByteOrder order = descr.charAt(0) == '<' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        int size = descr.charAt(2) - '0';
        ByteBuffer b = ByteBuffer.allocate(size * values.length).order(order);
        boolean integer = descr.charAt(1) == 'i';
        for (double v : values) {
            switch (size) {
                case 2 -> b.putShort(Float.floatToFloat16((float) v));
                case 4 -> {
                    if (integer) b.putInt((int) Math.floor(v));
                    else b.putFloat((float) v);
                }
                default -> {
                    if (integer) b.putLong((long) Math.floor(v));
                    else b.putDouble(v);
                }
            }
        }
        NpyArray a = read(npy(1, dict(descr, "False", "(5,)") + "\n", b.array()));
        float[] expected = new float[values.length];
        for (int i = 0; i < values.length; i++) expected[i] = (float) (integer ? Math.floor(values[i]) : values[i]);
        assertArrayEquals(expected, a.data());
    }

    /** Files numpy 2.4.6 wrote (np.save, or numpy.lib.format.write_array for versions 2.0 and 3.0). */
    @Test
    void readsFilesNumpyWrote() throws IOException {
        NpyArray a = read(Base64.getDecoder().decode("k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAACAPgAAAD8AAEA/AACAPwAAoD8="));
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f, 1, 1.25f}, a.data());

        NpyArray half = read(Base64.getDecoder().decode("k05VTVBZAQB2AHsnZGVzY3InOiAnPGYyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAPgDA/3s="));
        assertArrayEquals(new float[] {1.5f, -2f, 65504f}, half.data());

        NpyArray big = read(Base64.getDecoder().decode("k05VTVBZAQB2AHsnZGVzY3InOiAnPmY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDEpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo/oAAAwGAAAA=="));
        assertArrayEquals(new int[] {2, 1}, big.shape());
        assertArrayEquals(new float[] {1.25f, -3.5f}, big.data());

        NpyArray dbl = read(Base64.getDecoder().decode("k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqamZmZmZm5P5x1AIg85Dd+"));
        assertArrayEquals(new float[] {0.1f, Float.POSITIVE_INFINITY}, dbl.data(), "1e300 rounds to infinity");

        NpyArray longs = read(Base64.getDecoder().decode("k05VTVBZAgB0AAAAeydkZXNjcic6ICc8aTgnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr5/////////wAAAAAAAQAA"));
        assertArrayEquals(new float[] {-7f, 0x1p40f}, longs.data());

        NpyArray scalar = read(Base64.getDecoder().decode("k05VTVBZAwB0AAAAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAGBA"));
        assertArrayEquals(new int[0], scalar.shape());
        assertArrayEquals(new float[] {3.5f}, scalar.data());
    }

    @Test
    void refusesFortranOrderClearly() {
        byte[] fortran = Base64.getDecoder().decode("k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAABAQAAAgD8AAIBAAAAAQAAAoEA=");
        IOException e = assertThrows(IOException.class, () -> read(fortran));
        assertTrue(e.getMessage().startsWith("x.npy: arrays in Fortran order are not supported"), e.getMessage());
    }

    @Test
    void roundTripsSeededRandomArraysThroughFiles() throws IOException {
        SplittableRandom rnd = new SplittableRandom(99);
        int[][] shapes = {{3, 224, 224}, {10}, {}, {0, 4}, {2, 1, 5, 7}};
        for (int[] shape : shapes) {
            int n = 1;
            for (int d : shape) n *= d;
            float[] data = new float[n];
            for (int i = 0; i < n; i++) data[i] = (float) (rnd.nextGaussian() * 10);
            Path file = dir.resolve("a.npy");
            Npy.write(file, new NpyArray(shape, data));
            assertEquals(new NpyArray(shape, data), Npy.read(file));
        }
    }

    @Test
    void readsArraysAppendedOneAfterAnother() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, new NpyArray(new int[] {2}, new float[] {1, 2}));
        Npy.write(out, new NpyArray(new int[] {1}, new float[] {3}));
        InputStream in = new ByteArrayInputStream(out.toByteArray());
        assertArrayEquals(new float[] {1, 2}, Npy.read(in).data());
        assertArrayEquals(new float[] {3}, Npy.read(in).data());
    }

    @Test
    void acceptsPythonTwoLongIntegersInTheShape() throws IOException {
        NpyArray a = read(npy(1, dict("<f4", "False", "(1L, 2L)") + "\n", floats(ByteOrder.LITTLE_ENDIAN, 5, 6)));
        assertArrayEquals(new int[] {1, 2}, a.shape());
    }

    private static void expectError(byte[] bytes, String fragment) {
        IOException e = assertThrows(IOException.class, () -> read(bytes));
        assertTrue(e.getMessage().startsWith("x.npy: "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), () -> "\"" + fragment + "\" not in: " + e.getMessage());
    }

    @Test
    void reportsEveryMalformedFileClearly() {
        byte[] four = floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4);
        expectError("PK\3\4 a zip file".getBytes(StandardCharsets.ISO_8859_1), "not a .npy file");
        expectError(new byte[] {(byte) 0x93, 'N', 'U'}, "not a .npy file");
        byte[] v4 = npy(2, dict("<f4", "False", "(4,)"), four);
        v4[6] = 4;
        expectError(v4, "version 4.0 is not supported");
        byte[] v11 = npy(1, dict("<f4", "False", "(4,)"), four);
        v11[7] = 1;
        expectError(v11, "version 1.1 is not supported");
        expectError(java.util.Arrays.copyOf(npy(1, dict("<f4", "False", "(4,)"), four), 30), "file ends inside the header");
        expectError(java.util.Arrays.copyOf(npy(1, dict("<f4", "False", "(4,)"), four), 9), "file ends inside the header length");
        byte[] huge = npy(2, "{}", new byte[0]);
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 1 << 30);
        expectError(huge, "header length 1073741824 exceeds the limit");
        expectError(npy(1, dict("<f4", "False", "(4,)"), new byte[10]), "data ends after 10 of 16 bytes");
        expectError(npy(1, dict("<c8", "False", "(4,)"), new byte[32]), "dtype '<c8' is not supported");
        expectError(npy(1, dict("|u1", "False", "(4,)"), new byte[4]), "dtype '|u1' is not supported");
        expectError(npy(1, "{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }", four),
                "structured dtype [[x, <f4]] is not supported");
        expectError(npy(1, "{'descr': '<f4', 'shape': (4,), }", four), "header keys are");
        expectError(npy(1, dict("<f4", "False", "(4,)").replace("}", "'extra': 1, }"), four), "header keys are");
        expectError(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,)", four), "header is not a Python dict literal");
        expectError(npy(1, "[1, 2]", four), "header is not a Python dict");
        expectError(npy(1, dict("<f4", "0", "(4,)"), four), "fortran_order must be True or False");
        expectError(npy(1, dict("<f4", "False", "(-4,)"), four), "non-negative integers");
        expectError(npy(1, dict("<f4", "False", "(3000000000,)"), four), "non-negative integers that fit in an int");
        expectError(npy(1, dict("<f4", "False", "(65536, 65536)"), four), "more elements than a Java array holds");
        expectError(npy(1, dict("<f4", "False", "'4'"), four), "shape must be a tuple");
    }
}
