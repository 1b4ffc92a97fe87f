package org.cnnc.runtime.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.cnnc.runtime.io.HalfFloats;

/**
 * A safetensors file: an 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the tensors' bytes. The whole header is checked when the
 * file is opened (see {@link #open}); tensors are read on demand, and reading is safe from
 * several threads at once.
 */
public final class SafeTensors implements AutoCloseable {
    /** Views of a mapped file stay under this size (a MappedByteBuffer cannot exceed 2 GiB). */
    static final int DEFAULT_MAX_VIEW = 1 << 30;

    private final String source;
    private final DataSection data;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private volatile boolean closed;

    private SafeTensors(String source, DataSection data, HeaderParser.Header header) {
        this.source = source;
        this.data = data;
        this.tensors = header.tensors();
        this.metadata = header.metadata();
    }

    /**
     * Opens a file and checks its header. Tensor data is memory-mapped a tensor (or, for a
     * tensor over 1 GiB, a piece of one) at a time when read, so files of any size open.
     *
     * @throws WeightsFormatException if the file breaks the format; the message names the file
     *         and the tensor at fault
     */
    public static SafeTensors open(Path file) throws IOException {
        return open(file, DEFAULT_MAX_VIEW);
    }

    /** {@link #open(Path)} with a bound on the bytes mapped at once, so tests can cross view boundaries cheaply. */
    static SafeTensors open(Path file, int maxView) throws IOException {
        String source = file.toString();
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size < 8) {
                throw new WeightsFormatException(source + ": a " + size
                        + "-byte file is too short for a safetensors file (it starts with an 8-byte header length)");
            }
            long length = HeaderParser.checkLength(readFully(channel, 0, 8).getLong(), source);
            if (8 + length > size) {
                throw new WeightsFormatException(source + ": header length " + length
                        + " runs past the end of the file (" + size + " bytes)");
            }
            byte[] json = readFully(channel, 8, (int) length).array();
            long dataLength = size - 8 - length;
            HeaderParser.Header header = HeaderParser.parse(json, dataLength, source);
            return new SafeTensors(source, new DataSection.Mapped(channel, 8 + length, maxView), header);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Reads a whole file from a stream (e.g. a resource in a jar), naming it {@code <stream>} in errors. */
    public static SafeTensors read(InputStream in) throws IOException {
        return read(in, "<stream>");
    }

    /**
     * Reads a whole file from a stream into memory (so up to 2 GiB of tensor data); {@code name}
     * names the file in error messages. The stream is read to its end but not closed.
     */
    public static SafeTensors read(InputStream in, String name) throws IOException {
        byte[] prefix = in.readNBytes(8);
        if (prefix.length < 8) {
            throw new WeightsFormatException(name + ": a " + prefix.length
                    + "-byte file is too short for a safetensors file (it starts with an 8-byte header length)");
        }
        long length = HeaderParser.checkLength(ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getLong(), name);
        byte[] json = in.readNBytes((int) length);
        if (json.length < length) {
            throw new WeightsFormatException(name + ": header length " + length
                    + " runs past the end of the file (" + (8 + json.length) + " bytes)");
        }
        byte[] rest = in.readAllBytes();
        HeaderParser.Header header = HeaderParser.parse(json, rest.length, name);
        return new SafeTensors(name, new DataSection.InMemory(rest), header);
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) throw new IOException("unexpected end of file");
        }
        return buffer.flip();
    }

    /** The file's path, or the name a stream was given; error messages start with it. */
    public String source() {
        return source;
    }

    /** Every tensor by name, in the header's order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The header's {@code __metadata__} strings (empty if it has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * One tensor's description.
     *
     * @throws IllegalArgumentException if the file has no tensor of that name
     */
    public TensorInfo tensor(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException(source + ": no tensor '" + name + "'");
        return t;
    }

    /** A floating-point tensor as a new float array; see {@link #readFloats}. */
    public float[] floats(String name) throws IOException {
        TensorInfo t = tensor(name);
        float[] out = new float[checkedCount(t)];
        readFloats(name, out, 0);
        return out;
    }

    /**
     * Reads a floating-point tensor into {@code dst} from {@code offset}, in C order: F32 as
     * stored, F16 and BF16 widened exactly, F64 rounded to the nearest float.
     *
     * @throws WeightsFormatException if the tensor's dtype is not a floating-point one
     * @throws IndexOutOfBoundsException if {@code dst} has no room for it at {@code offset}
     */
    public void readFloats(String name, float[] dst, int offset) throws IOException {
        TensorInfo t = tensor(name);
        int count = checkedCount(t);
        if (offset < 0 || offset > dst.length - count) {
            throw new IndexOutOfBoundsException(source + ": tensor '" + name + "' has " + count
                    + " elements, which do not fit in an array of " + dst.length + " from offset " + offset);
        }
        if (closed) throw new IOException(source + " is closed");
        int size = t.dtype().byteSize();
        int perView = Math.max(1, data.maxView() / size);
        long position = t.begin();
        for (int done = 0; done < count; ) {
            int n = Math.min(perView, count - done);
            decode(t.dtype(), data.view(position, n * size), dst, offset + done, n);
            done += n;
            position += (long) n * size;
        }
    }

    private int checkedCount(TensorInfo t) throws WeightsFormatException {
        if (!t.dtype().readableAsFloat()) {
            throw new WeightsFormatException(source + ": tensor '" + t.name() + "' is " + t.dtype()
                    + ", which does not read as floats (F32, F16, BF16 or F64 do)");
        }
        long count = t.elementCount();
        if (count > Integer.MAX_VALUE - 8) {
            throw new WeightsFormatException(source + ": tensor '" + t.name() + "' has " + count
                    + " elements, more than a Java array holds");
        }
        return (int) count;
    }

    private static void decode(DType dtype, ByteBuffer bytes, float[] dst, int offset, int n) {
        switch (dtype) {
            case F32 -> bytes.asFloatBuffer().get(dst, offset, n);
            case F16 -> {
                ShortBuffer s = bytes.asShortBuffer();
                for (int i = 0; i < n; i++) dst[offset + i] = HalfFloats.f16ToFloat(s.get(i));
            }
            case BF16 -> {
                ShortBuffer s = bytes.asShortBuffer();
                for (int i = 0; i < n; i++) dst[offset + i] = HalfFloats.bf16ToFloat(s.get(i));
            }
            case F64 -> {
                DoubleBuffer d = bytes.asDoubleBuffer();
                for (int i = 0; i < n; i++) dst[offset + i] = (float) d.get(i);
            }
            default -> throw new IllegalStateException("not a float type: " + dtype);
        }
    }

    /** Releases the file; reads after this fail. */
    @Override
    public void close() throws IOException {
        closed = true;
        data.close();
    }
}
