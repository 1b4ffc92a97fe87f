package org.cnnc.runtime.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * NumPy's .npy format: the magic {@code \x93NUMPY}, a version, a little-endian header length
 * (2 bytes in version 1.0, 4 in 2.0 and 3.0), a Python dict literal giving {@code descr},
 * {@code fortran_order} and {@code shape}, then the raw values.
 *
 * <p>Reads versions 1.0 to 3.0 of C-order arrays of float16, float32, float64, int32 and int64
 * (either byte order) into floats; writes float32 arrays as version 1.0, as {@code numpy.save}
 * does, with the header padded so that the data starts 64-byte aligned.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    private static final int MAX_HEADER = 1 << 20;
    private static final int CHUNK = 1 << 16;
    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

    private Npy() {
    }

    /** The element types read; each converts to float (int64 and float64 rounding to nearest). */
    private enum Kind {
        F2(2), F4(4), F8(8), I4(4), I8(8);

        final int size;

        Kind(int size) {
            this.size = size;
        }
    }

    public static NpyArray read(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), CHUNK)) {
            return read(in, file.toString());
        }
    }

    public static NpyArray read(InputStream in) throws IOException {
        return read(in, "<stream>");
    }

    /**
     * Reads one array from {@code in} (named {@code name} in error messages), leaving the stream
     * just after it: numpy can append several arrays to one file.
     */
    public static NpyArray read(InputStream in, String name) throws IOException {
        byte[] prefix = in.readNBytes(8);
        if (prefix.length < 8 || !Arrays.equals(prefix, 0, 6, MAGIC, 0, 6)) {
            throw new IOException(name + ": not a .npy file (it does not start with \\x93NUMPY)");
        }
        int major = prefix[6] & 0xff;
        int minor = prefix[7] & 0xff;
        if (minor != 0 || major < 1 || major > 3) {
            throw new IOException(name + ": .npy format version " + major + "." + minor
                    + " is not supported (1.0, 2.0 and 3.0 are)");
        }
        byte[] lengthBytes = in.readNBytes(major == 1 ? 2 : 4);
        if (lengthBytes.length < (major == 1 ? 2 : 4)) throw new IOException(name + ": file ends inside the header length");
        ByteBuffer lb = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = major == 1 ? lb.getShort() & 0xffff : lb.getInt() & 0xffff_ffffL;
        if (headerLength > MAX_HEADER) {
            throw new IOException(name + ": header length " + headerLength + " exceeds the limit of " + MAX_HEADER + " bytes");
        }
        byte[] headerBytes = in.readNBytes((int) headerLength);
        if (headerBytes.length < headerLength) {
            throw new IOException(name + ": file ends inside the header (" + headerBytes.length + " of " + headerLength + " bytes)");
        }
        // Versions 1.0 and 2.0 store the header in latin-1, 3.0 in UTF-8.
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<?, ?> fields = fields(header, name);

        Descr descr = descr(fields.get("descr"), name);
        if (!(fields.get("fortran_order") instanceof Boolean fortran)) {
            throw new IOException(name + ": fortran_order must be True or False, not " + fields.get("fortran_order"));
        }
        if (fortran) {
            throw new IOException(name + ": arrays in Fortran order are not supported; save a C-order copy "
                    + "(numpy.ascontiguousarray) instead");
        }
        int[] shape = shape(fields.get("shape"), name);
        float[] data = new float[count(shape, name)];
        readData(in, descr, data, name);
        return new NpyArray(shape, data);
    }

    private static Map<?, ?> fields(String header, String name) throws IOException {
        Object parsed;
        try {
            parsed = PyLiteral.parse(header);
        } catch (PyLiteral.SyntaxException e) {
            throw new IOException(name + ": header is not a Python dict literal: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> map)) throw new IOException(name + ": header is not a Python dict");
        if (!map.keySet().equals(KEYS)) {
            throw new IOException(name + ": header keys are " + map.keySet() + ", not descr, fortran_order and shape");
        }
        return map;
    }

    private record Descr(Kind kind, ByteOrder order) {
    }

    private static Descr descr(Object descr, String name) throws IOException {
        if (descr instanceof String s && s.length() == 3 && (s.charAt(0) == '<' || s.charAt(0) == '>')) {
            Kind kind = switch (s.substring(1)) {
                case "f2" -> Kind.F2;
                case "f4" -> Kind.F4;
                case "f8" -> Kind.F8;
                case "i4" -> Kind.I4;
                case "i8" -> Kind.I8;
                default -> null;
            };
            if (kind != null) return new Descr(kind, s.charAt(0) == '<' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        }
        String what = descr instanceof String s ? "dtype '" + s + "'" : "structured dtype " + descr;
        throw new IOException(name + ": " + what + " is not supported (float16, float32, float64, int32 and int64 are, e.g. '<f4')");
    }

    private static int[] shape(Object value, String name) throws IOException {
        if (value instanceof List<?> dims) {
            int[] shape = new int[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                if (!(dims.get(i) instanceof BigInteger d) || d.signum() < 0 || d.bitLength() > 31) {
                    throw new IOException(name + ": shape " + value + " must hold non-negative integers that fit in an int");
                }
                shape[i] = d.intValue();
            }
            return shape;
        }
        throw new IOException(name + ": shape must be a tuple of integers, not " + value);
    }

    private static int count(int[] shape, String name) throws IOException {
        long count = 1;
        for (int d : shape) {
            count *= d;
            if (count > Integer.MAX_VALUE - 8) {
                throw new IOException(name + ": shape " + Arrays.toString(shape) + " has more elements than a Java array holds");
            }
        }
        return (int) count;
    }

    private static void readData(InputStream in, Descr descr, float[] data, String name) throws IOException {
        Kind kind = descr.kind();
        int perChunk = CHUNK / kind.size;
        byte[] buffer = new byte[perChunk * kind.size];
        for (int done = 0; done < data.length; ) {
            int n = Math.min(perChunk, data.length - done);
            int got = in.readNBytes(buffer, 0, n * kind.size);
            if (got < n * kind.size) {
                throw new IOException(name + ": data ends after " + ((long) done * kind.size + got) + " of "
                        + (long) data.length * kind.size + " bytes");
            }
            ByteBuffer b = ByteBuffer.wrap(buffer, 0, got).order(descr.order());
            for (int i = 0; i < n; i++) {
                data[done + i] = switch (kind) {
                    case F2 -> HalfFloats.f16ToFloat(b.getShort());
                    case F4 -> b.getFloat();
                    case F8 -> (float) b.getDouble();
                    case I4 -> b.getInt();
                    case I8 -> b.getLong();
                };
            }
            done += n;
        }
    }

    /** Writes {@code array} as a float32 .npy file (version 1.0, C order). */
    public static void write(Path file, NpyArray array) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out, array);
        }
    }

    /** Writes {@code array} to {@code out}, which it does not close. */
    public static void write(OutputStream out, NpyArray array) throws IOException {
        out.write(header(array.shape()));
        float[] data = array.data();
        int perChunk = CHUNK / 4;
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (int from = 0; from < data.length; from += perChunk) {
            int n = Math.min(perChunk, data.length - from);
            chunk.clear();
            chunk.asFloatBuffer().put(data, from, n);
            out.write(chunk.array(), 0, 4 * n);
        }
    }

    /** Magic, version 1.0, length, and the dict padded with spaces and a newline to a multiple of 64 bytes. */
    static byte[] header(int[] shape) {
        StringBuilder dims = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) dims.append(i == 0 ? "" : ", ").append(shape[i]);
        dims.append(shape.length == 1 ? ",)" : ")");
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + dims + ", }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int total = (unpadded + ALIGN - 1) / ALIGN * ALIGN;
        String text = dict + " ".repeat(total - unpadded) + "\n";
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length());
        b.put(text.getBytes(StandardCharsets.ISO_8859_1));
        return b.array();
    }
}
