package org.cnnc.runtime.io;

/**
 * Exact widening of 16-bit floats to float. Every half value (subnormals, infinities and the
 * sign of zero included) is exactly representable as a float, so neither conversion rounds.
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    /**
     * IEEE 754 binary16 (1 sign, 5 exponent, 10 fraction bits) to float. A NaN keeps its sign and
     * payload and comes out quiet, as IEEE 754 conversion, x86's F16C and
     * {@code Float.float16ToFloat} all make it.
     */
    public static float f16ToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int fraction = h & 0x3ff;
        if (exponent == 0x1f) {
            int quiet = fraction == 0 ? 0 : 0x0040_0000;
            return Float.intBitsToFloat(sign | 0x7f80_0000 | quiet | (fraction << 13));
        }
        if (exponent != 0) { // normal: rebias 15 to 127
            return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (fraction << 13));
        }
        // zero or subnormal: fraction × 2^-24, exact since the fraction has 10 bits
        float magnitude = fraction * 0x1p-24f;
        return sign == 0 ? magnitude : -magnitude;
    }

    /** bfloat16 (the upper half of a float's bits) to float: a shift, NaN bits and all, as PyTorch widens it. */
    public static float bf16ToFloat(short bfloat) {
        return Float.intBitsToFloat((bfloat & 0xffff) << 16);
    }
}
