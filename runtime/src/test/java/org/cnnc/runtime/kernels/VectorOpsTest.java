package org.cnnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The vector epilogue's sigmoid and tanh, value by value against double precision. */
class VectorOpsTest {
    /** Within this many units of float's precision (2⁻²⁴) of the exact value, relative to it. */
    static final double ULPS = 4;

    /** Values across the range where the curves change, their limits, tiny ones, and the specials. */
    static float[] inputs() {
        Random r = new Random(11);
        float[] x = new float[4099];   // not whole vectors: the masked tail too
        int i = 0;
        for (float v : new float[] {0f, -0f, 1e-30f, -1e-30f, 1e-7f, -3e-5f, 0.34657f, -0.34658f, 9f, -9f, 15.9f, -16.2f,
                87f, -87f, 88.5f, -88.5f, 89f, -104f, 200f, -200f, Float.MAX_VALUE, -Float.MAX_VALUE}) {
            x[i++] = v;
        }
        while (i < x.length / 2) x[i++] = (float) (r.nextGaussian() * 3);
        while (i < x.length) x[i++] = (float) ((r.nextDouble() - 0.5) * 60 * Math.pow(10, -6 * r.nextDouble()));
        return x;
    }

    @Test
    void sigmoidIsWithinAFewUnitsInTheLastPlace() {
        assertCurve(Activation.SIGMOID);
    }

    @Test
    void tanhIsWithinAFewUnitsInTheLastPlaceEvenNearZero() {
        assertCurve(Activation.TANH);
    }

    private static void assertCurve(Activation a) {
        float[] x = inputs(), y = new float[x.length];
        VectorOps.epilogue(x, 0, x.length, y, 0, x.length, 1, x.length, 0, Epilogue.of(null, a), null);
        for (int i = 0; i < x.length; i++) {
            double exact = Reference.act(a, x[i], 0);
            int at = i;
            if (Math.abs(exact) < 0x1p-126) {
                // below float's normal range (the sigmoid past −87): as small as a normal float gets
                assertTrue(Math.abs(y[i]) <= 0x1p-125, () -> a + "(" + x[at] + ") = " + y[at] + ", not " + exact);
                continue;
            }
            double err = Math.abs(y[i] - exact) / Math.abs(exact);
            assertTrue(err <= ULPS * 0x1p-24, () -> a + "(" + x[at] + ") = " + y[at] + ", not " + exact + ": " + err / 0x1p-24 + " units");
        }
    }

    @Test
    void curvesKeepNaNAndReachTheirLimitsAtTheInfinities() {
        float[] x = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}, y = new float[3];
        VectorOps.epilogue(x, 0, 3, y, 0, 3, 1, 3, 0, Epilogue.of(null, Activation.SIGMOID), null);
        assertEquals(Float.NaN, y[0]);
        assertEquals(1f, y[1]);
        assertEquals(0f, y[2], 1e-38);
        VectorOps.epilogue(x, 0, 3, y, 0, 3, 1, 3, 0, Epilogue.of(null, Activation.TANH), null);
        assertEquals(Float.NaN, y[0]);
        assertEquals(1f, y[1]);
        assertEquals(-1f, y[2]);
    }
}
