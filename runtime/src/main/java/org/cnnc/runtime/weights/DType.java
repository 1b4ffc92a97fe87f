package org.cnnc.runtime.weights;

/**
 * The element types a safetensors header may name, spelled as the format spells them. Every
 * type is known so that a file holding, say, integer step counters or FP8 scales still opens;
 * only the floating-point types {@link #readableAsFloat() read as floats}.
 */
public enum DType {
    BOOL(8),
    /** FP4 E2M1, two elements per byte. */
    F4(4),
    F6_E2M3(6),
    F6_E3M2(6),
    U8(8),
    I8(8),
    F8_E5M2(8),
    F8_E4M3(8),
    F8_E8M0(8),
    I16(16),
    U16(16),
    F16(16),
    BF16(16),
    I32(32),
    U32(32),
    F32(32),
    /** Complex64: two F32 per element. */
    C64(64),
    F64(64),
    I64(64),
    U64(64);

    private final int bits;

    DType(int bits) {
        this.bits = bits;
    }

    /** Bits per element. */
    public int bits() {
        return bits;
    }

    /**
     * Bytes per element.
     *
     * @throws IllegalStateException for the sub-byte types (F4, F6_*), whose elements share bytes
     */
    public int byteSize() {
        if (bits % 8 != 0) throw new IllegalStateException(name() + " elements are " + bits + " bits, not whole bytes");
        return bits / 8;
    }

    /**
     * The bytes {@code elements} elements occupy, or -1 when that is not a whole number of bytes
     * (an odd count of F4 elements) or does not fit in a long.
     */
    public long byteLength(long elements) {
        if (elements < 0) throw new IllegalArgumentException("negative element count " + elements);
        if (elements > Long.MAX_VALUE / bits) return -1;
        long totalBits = elements * bits;
        return totalBits % 8 == 0 ? totalBits / 8 : -1;
    }

    /** Whether {@link SafeTensors#floats} reads this type: F32 as is, F16 and BF16 widened, F64 rounded. */
    public boolean readableAsFloat() {
        return this == F32 || this == F16 || this == BF16 || this == F64;
    }

    /** The type a header names, or null if there is none of that name (names are case-sensitive). */
    public static DType byName(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) return t;
        }
        return null;
    }
}
