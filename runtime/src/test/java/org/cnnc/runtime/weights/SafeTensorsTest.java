package org.cnnc.runtime.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    /**
     * Header order differs from data order; an I64 scalar (as num_batches_tracked is) sits
     * between float tensors; the header carries trailing space padding.
     */
    private static final String HAND_HEADER = "{\"__metadata__\":{\"format\":\"pt\",\"note\":\"caf\\u00e9\"},"
            + "\"b.half\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[24,30]},"
            + "\"a.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
            + "\"steps\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[16,24]},"
            + "\"c.brain\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[30,34]}}   ";

    private static byte[] handAssembled() {
        byte[] data = RawFile.concat(
                RawFile.f32(1.5f, -2.0f, 0.0f, 3.25f),
                RawFile.le64(7),
                RawFile.u16(0x3c00, 0xc000, 0x7c00), // 1, -2, +inf
                RawFile.u16(0x3f80, 0x4049)); // 1, 3.140625
        return RawFile.of(HAND_HEADER, data);
    }

    private Path save(byte[] bytes) throws IOException {
        Path p = dir.resolve("w" + System.nanoTime() + ".safetensors");
        Files.write(p, bytes);
        return p;
    }

    private void checkHandAssembled(SafeTensors st) throws IOException {
        assertEquals(List.of("b.half", "a.weight", "steps", "c.brain"), new ArrayList<>(st.tensors().keySet()));
        assertEquals(Map.of("format", "pt", "note", "café"), st.metadata());
        assertEquals(new TensorInfo("a.weight", DType.F32, new long[] {2, 2}, 0, 16), st.tensor("a.weight"));
        assertEquals(new TensorInfo("steps", DType.I64, new long[0], 16, 24), st.tensor("steps"));
        assertEquals(1, st.tensor("steps").elementCount());
        assertArrayEquals(new float[] {1.5f, -2.0f, 0.0f, 3.25f}, st.floats("a.weight"));
        assertArrayEquals(new float[] {1f, -2f, Float.POSITIVE_INFINITY}, st.floats("b.half"));
        assertArrayEquals(new float[] {1f, 3.140625f}, st.floats("c.brain"));
    }

    @Test
    void readsHandAssembledFileFromDisk() throws IOException {
        try (SafeTensors st = SafeTensors.open(save(handAssembled()))) {
            checkHandAssembled(st);
        }
    }

    @Test
    void readsHandAssembledFileFromStream() throws IOException {
        try (SafeTensors st = SafeTensors.read(new ByteArrayInputStream(handAssembled()), "net.safetensors")) {
            assertEquals("net.safetensors", st.source());
            checkHandAssembled(st);
        }
    }

    @Test
    void writesTheBytesTheFormatSpecifies() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new SafeTensorsWriter()
                .metadata("format", "pt")
                .add("fc.weight", new int[] {2, 2}, new float[] {1, 2, 3, 4})
                .add("fc.bias", new int[] {2}, new float[] {0.5f, -0.5f})
                .write(out);

        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"fc.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}}";
        String padded = json + " ".repeat((8 - json.length() % 8) % 8);
        byte[] expected = RawFile.of(padded, RawFile.f32(1, 2, 3, 4, 0.5f, -0.5f));
        assertArrayEquals(expected, out.toByteArray());
        assertEquals(0, padded.length() % 8, "data starts 8-byte aligned");
    }

    @Test
    void escapesNamesAndMetadataInTheHeader() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new SafeTensorsWriter().metadata("k\"ey", "line\nbreak\\").add("t\u00e9\t", new int[] {1}, new float[] {1}).write(out);
        try (SafeTensors st = SafeTensors.read(new ByteArrayInputStream(out.toByteArray()))) {
            assertEquals(Map.of("k\"ey", "line\nbreak\\"), st.metadata());
            assertArrayEquals(new float[] {1}, st.floats("t\u00e9\t"));
        }
        String header = new String(out.toByteArray(), 8, out.size() - 8 - 4, StandardCharsets.UTF_8);
        assertTrue(header.contains("\"k\\\"ey\":\"line\\nbreak\\\\\""), header);
    }

    @Test
    void roundTripsSeededRandomTensorsInOrder() throws IOException {
        SplittableRandom rnd = new SplittableRandom(20240611);
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("features.0.weight", new int[] {16, 3, 3, 3});
        shapes.put("features.0.bias", new int[] {16});
        shapes.put("empty", new int[] {0, 5});
        shapes.put("scalar", new int[0]);
        shapes.put("classifier.weight", new int[] {10, 16 * 7 * 7});
        shapes.put("a", new int[] {1, 1, 1, 1, 1, 3});
        Map<String, float[]> values = new LinkedHashMap<>();
        SafeTensorsWriter writer = new SafeTensorsWriter().metadata("seed", "20240611");
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            int n = 1;
            for (int d : e.getValue()) n *= d;
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
            values.put(e.getKey(), v);
            writer.add(e.getKey(), e.getValue(), v);
        }
        Path file = dir.resolve("random.safetensors");
        writer.write(file);

        try (SafeTensors st = SafeTensors.open(file);
                SafeTensors fromStream = SafeTensors.read(Files.newInputStream(file))) {
            assertEquals(new ArrayList<>(shapes.keySet()), new ArrayList<>(st.tensors().keySet()));
            assertEquals(Map.of("seed", "20240611"), st.metadata());
            for (String name : shapes.keySet()) {
                long[] expectedShape = java.util.Arrays.stream(shapes.get(name)).asLongStream().toArray();
                assertArrayEquals(expectedShape, st.tensor(name).shape(), name);
                assertEquals(DType.F32, st.tensor(name).dtype());
                assertArrayEquals(values.get(name), st.floats(name), name);
                assertArrayEquals(values.get(name), fromStream.floats(name), name);
            }
        }
    }

    @Test
    void readsTensorsLargerThanOneMappedViewPieceByPiece() throws IOException {
        // Every F16 and BF16 bit pattern, plus F32 and F64 runs, read through 64-byte views.
        int n = 1 << 16;
        int[] patterns = new int[n];
        for (int i = 0; i < n; i++) patterns[i] = i;
        SplittableRandom rnd = new SplittableRandom(7);
        float[] f32 = new float[1001];
        double[] f64 = new double[333];
        for (int i = 0; i < f32.length; i++) f32[i] = (float) rnd.nextGaussian();
        for (int i = 0; i < f64.length; i++) f64[i] = rnd.nextGaussian();
        long h = 2L * n;
        String json = "{\"half\":{\"dtype\":\"F16\",\"shape\":[256,256],\"data_offsets\":[0," + h + "]},"
                + "\"brain\":{\"dtype\":\"BF16\",\"shape\":[" + n + "],\"data_offsets\":[" + h + "," + 2 * h + "]},"
                + "\"single\":{\"dtype\":\"F32\",\"shape\":[1001],\"data_offsets\":[" + 2 * h + "," + (2 * h + 4004) + "]},"
                + "\"double\":{\"dtype\":\"F64\",\"shape\":[3,111],\"data_offsets\":[" + (2 * h + 4004) + ","
                + (2 * h + 4004 + 8 * 333) + "]}}";
        byte[] bytes = RawFile.of(json, RawFile.concat(RawFile.u16(patterns), RawFile.u16(patterns), RawFile.f32(f32), RawFile.f64(f64)));
        try (SafeTensors st = SafeTensors.open(save(bytes), 64)) {
            float[] half = st.floats("half");
            float[] brain = st.floats("brain");
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(Float.float16ToFloat((short) i)), Float.floatToRawIntBits(half[i]));
                assertEquals(i << 16, Float.floatToRawIntBits(brain[i]));
            }
            assertArrayEquals(f32, st.floats("single"));
            float[] narrowed = st.floats("double");
            for (int i = 0; i < f64.length; i++) assertEquals((float) f64[i], narrowed[i]);
        }
    }

    @Test
    void readsIntoAnArrayAtAnOffset() throws IOException {
        try (SafeTensors st = SafeTensors.open(save(handAssembled()))) {
            float[] dst = new float[7];
            st.readFloats("a.weight", dst, 2);
            st.readFloats("c.brain", dst, 0);
            assertArrayEquals(new float[] {1f, 3.140625f, 1.5f, -2.0f, 0.0f, 3.25f, 0f}, dst);
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> st.readFloats("a.weight", dst, 4));
            assertTrue(e.getMessage().contains("a.weight"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> st.readFloats("a.weight", dst, -1));
        }
    }

    @Test
    void refusesToReadAnIntegerTensorAsFloatsNamingItAndItsDtype() throws IOException {
        Path file = save(handAssembled());
        try (SafeTensors st = SafeTensors.open(file)) {
            WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> st.floats("steps"));
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("'steps'"), e.getMessage());
            assertTrue(e.getMessage().contains("I64"), e.getMessage());
        }
    }

    @Test
    void namesTheFileWhenAskedForATensorItLacks() throws IOException {
        Path file = save(handAssembled());
        try (SafeTensors st = SafeTensors.open(file)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> st.floats("fc.weight"));
            assertEquals(file + ": no tensor 'fc.weight'", e.getMessage());
        }
    }

    @Test
    void failsToReadAfterClose() throws IOException {
        SafeTensors st = SafeTensors.open(save(handAssembled()));
        st.close();
        IOException e = assertThrows(IOException.class, () -> st.floats("a.weight"));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void opensAFileWithNoTensors() throws IOException {
        try (SafeTensors st = SafeTensors.open(save(RawFile.of("{}", new byte[0])))) {
            assertTrue(st.tensors().isEmpty());
            assertTrue(st.metadata().isEmpty());
        }
    }

    @Test
    void asksSuppliersForTheirValuesOnlyWhileWriting() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        SafeTensorsWriter writer = new SafeTensorsWriter()
                .add("lazy", new int[] {3}, () -> {
                    calls.incrementAndGet();
                    return new float[] {1, 2, 3};
                });
        assertEquals(0, calls.get());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out);
        assertEquals(1, calls.get());
        try (SafeTensors st = SafeTensors.read(new ByteArrayInputStream(out.toByteArray()))) {
            assertArrayEquals(new float[] {1, 2, 3}, st.floats("lazy"));
        }
    }

    @Test
    void rejectsTensorsThatDoNotMatchTheirShapes() {
        SafeTensorsWriter writer = new SafeTensorsWriter();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> writer.add("w", new int[] {2, 3}, new float[5]));
        assertEquals("tensor 'w' of shape [2, 3] needs 6 values, not 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> writer.add("w", new int[] {-1}, new float[0]));
        assertThrows(IllegalArgumentException.class, () -> writer.add("__metadata__", new int[] {1}, new float[1]));
        writer.add("w", new int[] {1}, new float[1]);
        assertThrows(IllegalArgumentException.class, () -> writer.add("w", new int[] {1}, new float[1]));

        SafeTensorsWriter lying = new SafeTensorsWriter().add("s", new int[] {4}, () -> new float[3]);
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> lying.write(new ByteArrayOutputStream()));
        assertTrue(s.getMessage().contains("'s'"), s.getMessage());
    }
}
