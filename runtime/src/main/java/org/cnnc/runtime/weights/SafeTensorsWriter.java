package org.cnnc.runtime.weights;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Writes F32 tensors as a safetensors file, in the order they were added, so the same tensors
 * always give the same bytes. Tensor data is streamed through a small buffer: a tensor given
 * by a {@link Supplier} is asked for its values only when its turn comes, so the caller need
 * not hold every tensor at once.
 *
 * <pre>{@code
 * new SafeTensorsWriter()
 *     .metadata("format", "pt")
 *     .add("fc.weight", new int[] {10, 84}, weights)
 *     .add("fc.bias", new int[] {10}, bias)
 *     .write(path);
 * }</pre>
 */
public final class SafeTensorsWriter {
    private static final int CHUNK_FLOATS = 16 * 1024;

    private record Entry(int[] shape, int count, Supplier<float[]> data) {
    }

    private final Map<String, Entry> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /** Adds a tensor whose values (C order) are {@code data}, which must not change until written. */
    public SafeTensorsWriter add(String name, int[] shape, float[] data) {
        int count = checkedCount(name, shape);
        if (data.length != count) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(shape) + " needs "
                    + count + " values, not " + data.length);
        }
        return put(name, shape, count, () -> data);
    }

    /** Adds a tensor whose values are produced, once, when the file is written. */
    public SafeTensorsWriter add(String name, int[] shape, Supplier<float[]> data) {
        Objects.requireNonNull(data, "data");
        return put(name, shape, checkedCount(name, shape), data);
    }

    /** Adds a {@code __metadata__} entry (e.g. {@code format = pt}). */
    public SafeTensorsWriter metadata(String key, String value) {
        metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    private SafeTensorsWriter put(String name, int[] shape, int count, Supplier<float[]> data) {
        if (tensors.containsKey(name)) throw new IllegalArgumentException("tensor '" + name + "' added twice");
        tensors.put(name, new Entry(shape.clone(), count, data));
        return this;
    }

    private static int checkedCount(String name, int[] shape) {
        Objects.requireNonNull(name, "name");
        if (name.equals(HeaderParser.METADATA_KEY)) {
            throw new IllegalArgumentException(HeaderParser.METADATA_KEY + " is reserved and cannot name a tensor");
        }
        long count = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension: " + Arrays.toString(shape));
            count *= d;
            if (count > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(shape)
                        + " has more elements than a float array holds");
            }
        }
        return (int) count;
    }

    /** Writes the file, replacing any file of that name. */
    public void write(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out);
        }
    }

    /** Writes the file to {@code out}, which it does not close. */
    public void write(OutputStream out) throws IOException {
        byte[] header = header();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
        out.write(header);
        ByteBuffer chunk = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
        for (Map.Entry<String, Entry> e : tensors.entrySet()) {
            Entry t = e.getValue();
            float[] values = t.data().get();
            if (values == null || values.length != t.count()) {
                throw new IllegalStateException("tensor '" + e.getKey() + "' of shape " + Arrays.toString(t.shape())
                        + " needs " + t.count() + " values, but its supplier gave "
                        + (values == null ? "null" : values.length));
            }
            for (int from = 0; from < values.length; from += CHUNK_FLOATS) {
                int n = Math.min(CHUNK_FLOATS, values.length - from);
                chunk.clear();
                chunk.asFloatBuffer().put(values, from, n);
                out.write(chunk.array(), 0, 4 * n);
            }
        }
    }

    /**
     * The JSON header: {@code __metadata__} first (if any), then the tensors in order, padded
     * with spaces so that the data starts 8-byte aligned in the file.
     */
    byte[] header() {
        StringBuilder b = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            b.append(Json.quote(HeaderParser.METADATA_KEY)).append(":{");
            String sep = "";
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                b.append(sep).append(Json.quote(e.getKey())).append(':').append(Json.quote(e.getValue()));
                sep = ",";
            }
            b.append('}');
        }
        long offset = 0;
        String sep = metadata.isEmpty() ? "" : ",";
        for (Map.Entry<String, Entry> e : tensors.entrySet()) {
            Entry t = e.getValue();
            long end = offset + 4L * t.count();
            b.append(sep).append(Json.quote(e.getKey())).append(":{\"dtype\":\"F32\",\"shape\":[");
            for (int i = 0; i < t.shape().length; i++) b.append(i == 0 ? "" : ",").append(t.shape()[i]);
            b.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
            sep = ",";
        }
        byte[] json = b.append('}').toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }
}
