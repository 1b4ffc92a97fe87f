package org.cnnc.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfFloatsTest {

    /** Value of sign/exponent/fraction fields computed in double arithmetic, independent of bit tricks. */
    private static double reference(int sign, int exponent, int fraction, int exponentBits, int fractionBits) {
        int maxExponent = (1 << exponentBits) - 1;
        int bias = (1 << (exponentBits - 1)) - 1;
        double magnitude;
        if (exponent == maxExponent) {
            magnitude = fraction == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (exponent == 0) {
            magnitude = Math.scalb((double) fraction / (1 << fractionBits), 1 - bias);
        } else {
            magnitude = Math.scalb(1.0 + (double) fraction / (1 << fractionBits), exponent - bias);
        }
        return sign == 0 ? magnitude : -magnitude;
    }

    @Test
    void widensEveryF16BitPatternAsTheJdkDoes() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            float expected = Float.float16ToFloat((short) bits);
            float actual = HalfFloats.f16ToFloat((short) bits);
            final int b = bits;
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual),
                    () -> "f16 0x" + Integer.toHexString(b));
        }
    }

    @Test
    void widensEveryF16BitPatternToItsExactValue() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            double expected = reference(bits >>> 15, (bits >>> 10) & 0x1f, bits & 0x3ff, 5, 10);
            float actual = HalfFloats.f16ToFloat((short) bits);
            final int b = bits;
            if (Double.isNaN(expected)) {
                assertTrue(Float.isNaN(actual), () -> "f16 0x" + Integer.toHexString(b) + " should be NaN");
            } else {
                assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
                        () -> "f16 0x" + Integer.toHexString(b));
            }
        }
    }

    @Test
    void widensEveryBf16BitPatternToItsExactValue() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            double expected = reference(bits >>> 15, (bits >>> 7) & 0xff, bits & 0x7f, 8, 7);
            float actual = HalfFloats.bf16ToFloat((short) bits);
            final int b = bits;
            if (Double.isNaN(expected)) {
                assertTrue(Float.isNaN(actual), () -> "bf16 0x" + Integer.toHexString(b) + " should be NaN");
                assertEquals(bits << 16, Float.floatToRawIntBits(actual), "NaN payload kept");
            } else {
                assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
                        () -> "bf16 0x" + Integer.toHexString(b));
            }
        }
    }

    @Test
    void knowsLandmarkValues() {
        assertEquals(1.0f, HalfFloats.f16ToFloat((short) 0x3c00));
        assertEquals(65504.0f, HalfFloats.f16ToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, HalfFloats.f16ToFloat((short) 0x0001));
        assertEquals(0x1p-14f, HalfFloats.f16ToFloat((short) 0x0400));
        assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.f16ToFloat((short) 0xfc00));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(HalfFloats.f16ToFloat((short) 0x8000)));
        assertEquals(1.0f, HalfFloats.bf16ToFloat((short) 0x3f80));
        assertEquals(-2.0f, HalfFloats.bf16ToFloat((short) 0xc000));
        assertEquals(Float.MIN_VALUE * (1 << 16), HalfFloats.bf16ToFloat((short) 0x0001));
    }
}
