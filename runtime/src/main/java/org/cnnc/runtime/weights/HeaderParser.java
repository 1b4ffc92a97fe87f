package org.cnnc.runtime.weights;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and checks a safetensors header: every tensor names a known dtype, a shape of
 * non-negative integers and a byte range of exactly the length they need, and the ranges tile
 * the data section with no overlap and no gap (the format forbids holes, so that no other
 * content can hide in a weights file).
 */
final class HeaderParser {
    /** The reference implementation's limit; real headers are far smaller. */
    static final long MAX_HEADER_BYTES = 100_000_000;
    static final String METADATA_KEY = "__metadata__";

    record Header(Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    }

    private final String source;

    private HeaderParser(String source) {
        this.source = source;
    }

    /** Checks the 8-byte length field (read as unsigned) before anything is allocated. */
    static long checkLength(long length, String source) throws WeightsFormatException {
        if (length < 0 || length > MAX_HEADER_BYTES) {
            throw new WeightsFormatException(source + ": header length " + Long.toUnsignedString(length)
                    + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes (is this a safetensors file?)");
        }
        if (length < 2) {
            throw new WeightsFormatException(source + ": header length " + length + " is too small to hold a JSON object");
        }
        return length;
    }

    /** Parses {@code header} (the JSON bytes) for a data section of {@code dataLength} bytes. */
    static Header parse(byte[] header, long dataLength, String source) throws WeightsFormatException {
        return new HeaderParser(source).parse(header, dataLength);
    }

    private Header parse(byte[] header, long dataLength) throws WeightsFormatException {
        if (header[0] != '{') throw fail("header does not start with '{' (is this a safetensors file?)");
        Object root;
        try {
            root = Json.parse(decodeUtf8(header));
        } catch (Json.SyntaxException e) {
            throw fail("header is not valid JSON: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> entries)) throw fail("header is not a JSON object");
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = Map.of();
        for (Map.Entry<?, ?> e : entries.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals(METADATA_KEY)) {
                metadata = metadata(e.getValue());
            } else {
                tensors.put(name, tensor(name, e.getValue(), dataLength));
            }
        }
        checkTiling(tensors.values(), dataLength);
        return new Header(Collections.unmodifiableMap(tensors), metadata);
    }

    private String decodeUtf8(byte[] bytes) throws WeightsFormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw fail("header is not valid UTF-8");
        }
    }

    private Map<String, String> metadata(Object value) throws WeightsFormatException {
        if (!(value instanceof Map<?, ?> map)) {
            throw fail(METADATA_KEY + " must be an object of strings, not " + describe(value));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw fail(METADATA_KEY + " must map strings to strings, but '" + e.getKey() + "' holds " + describe(e.getValue()));
            }
            out.put((String) e.getKey(), s);
        }
        return Collections.unmodifiableMap(out);
    }

    private TensorInfo tensor(String name, Object value, long dataLength) throws WeightsFormatException {
        if (!(value instanceof Map<?, ?> entry)) {
            throw fail(name, "entry must be an object with dtype, shape and data_offsets, not " + describe(value));
        }
        Object dtypeValue = required(entry, "dtype", name);
        DType dtype = dtypeValue instanceof String s ? DType.byName(s) : null;
        if (dtype == null) throw fail(name, "unknown dtype " + describe(dtypeValue));

        long[] shape = naturals(required(entry, "shape", name), name, "shape");
        long[] offsets = naturals(required(entry, "data_offsets", name), name, "data_offsets");
        if (offsets.length != 2) {
            throw fail(name, "data_offsets must be [begin, end], not " + Arrays.toString(offsets));
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) throw fail(name, "data_offsets [" + begin + ", " + end + "] end before they begin");
        if (end > dataLength) {
            throw fail(name, "data_offsets [" + begin + ", " + end + "] run past the end of the data section ("
                    + dataLength + " bytes)");
        }
        long needed = byteLength(dtype, shape, name);
        if (end - begin != needed) {
            throw fail(name, "data_offsets [" + begin + ", " + end + "] hold " + (end - begin) + " bytes, but "
                    + dtype + " " + Arrays.toString(shape) + " needs " + needed);
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private long byteLength(DType dtype, long[] shape, String name) throws WeightsFormatException {
        long count = 1;
        try {
            for (long d : shape) count = Math.multiplyExact(count, d);
        } catch (ArithmeticException e) {
            throw fail(name, "shape " + Arrays.toString(shape) + " has more elements than a long can count");
        }
        long bytes = dtype.byteLength(count);
        if (bytes < 0) {
            throw fail(name, "shape " + Arrays.toString(shape) + " of " + dtype + " is not a whole number of bytes");
        }
        return bytes;
    }

    private Object required(Map<?, ?> entry, String key, String name) throws WeightsFormatException {
        Object v = entry.get(key);
        if (v == null) throw fail(name, "has no " + key);
        return v;
    }

    private long[] naturals(Object value, String name, String key) throws WeightsFormatException {
        if (value instanceof List<?> list) {
            long[] out = new long[list.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(list.get(i) instanceof Long n) || n < 0) {
                    throw fail(name, key + " must hold non-negative integers, but element " + i + " is "
                            + describe(list.get(i)));
                }
                out[i] = n;
            }
            return out;
        }
        throw fail(name, key + " must be an array of non-negative integers, not " + describe(value));
    }

    /** Sorted by position, each range must start where the previous one ended, and the last end the section. */
    private void checkTiling(Iterable<TensorInfo> tensors, long dataLength) throws WeightsFormatException {
        List<TensorInfo> sorted = new ArrayList<>();
        tensors.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long covered = 0;
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < covered) {
                throw fail("tensors '" + previous.name() + "' " + range(previous) + " and '" + t.name() + "' "
                        + range(t) + " overlap");
            }
            if (t.begin() > covered) {
                throw fail("bytes [" + covered + ", " + t.begin() + ") of the data section belong to no tensor ("
                        + (previous == null ? "before" : "between '" + previous.name() + "' and") + " '" + t.name()
                        + "'); the format allows no gaps");
            }
            covered = t.end();
            previous = t;
        }
        if (covered != dataLength) {
            throw fail("bytes [" + covered + ", " + dataLength + ") of the data section belong to no tensor ("
                    + (previous == null ? "the header lists none" : "after '" + previous.name() + "'")
                    + "); the format allows no trailing data");
        }
    }

    private static String range(TensorInfo t) {
        return "[" + t.begin() + ", " + t.end() + ")";
    }

    private static String describe(Object v) {
        if (v instanceof Map<?, ?>) return "an object";
        if (v instanceof List<?>) return "an array";
        if (v instanceof String s) return "the string " + Json.quote(s);
        if (v instanceof Long || v instanceof BigInteger || v instanceof Double) return "the number " + v;
        return String.valueOf(v);
    }

    private WeightsFormatException fail(String message) {
        return new WeightsFormatException(source + ": " + message);
    }

    private WeightsFormatException fail(String tensor, String message) {
        return new WeightsFormatException(source + ": tensor '" + tensor + "': " + message);
    }
}
