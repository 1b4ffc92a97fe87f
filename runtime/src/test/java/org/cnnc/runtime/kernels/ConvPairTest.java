package org.cnnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.cnnc.runtime.Parallel;
import org.junit.jupiter.api.Test;

class ConvPairTest {
    private static final double TOLERANCE = Conv2dTest.TOLERANCE;

    /** ic, ih (= iw), oc1, oc2, k, stride, pad: a CIFAR ResNet block's conv1 and projection, ResNet-50's first 1×1 pair, a split inside a row panel. */
    private static final int[][] SHAPES = {
        {16, 32, 32, 32, 3, 2, 1}, {32, 16, 64, 64, 3, 2, 1}, {64, 14, 64, 256, 1, 1, 0}, {8, 9, 5, 7, 3, 2, 1}, {12, 10, 20, 4, 1, 1, 0}};

    @Test
    void eachOutputIsItsConvolutionThroughItsOwnEpilogue() {
        Random r = new Random(7);
        for (VectorSupport.Impl impl : impls()) {
            for (int[] s : SHAPES) {
                for (Parallel p : new Parallel[] {TestPools.ONE, TestPools.TWO}) {
                    for (int batch : new int[] {1, 3}) {
                        check(s, impl, p, batch, Epilogue.of(random(r, s[2], 1f), Activation.RELU), Epilogue.of(random(r, s[3], 1f), Activation.NONE), r);
                        check(s, impl, p, batch, Epilogue.of(null, Activation.RELU6), Epilogue.of(random(r, s[3], 1f), Activation.RELU), r);
                    }
                }
            }
        }
    }

    @Test
    void runsAsOneConvolutionOnTheVectorMatrixProduct() {
        if (!VectorSupport.available()) return;
        for (int[] s : SHAPES) {
            ConvPair pair = pair(s, new float[s[2] * s[0] * s[4] * s[4]], Epilogue.NONE, new float[s[3] * s[0] * s[4] * s[4]],
                    Epilogue.NONE, VectorSupport.Impl.VECTOR);
            assertTrue(pair.merged(), pair.strategy());
        }
        // a sigmoid does not clamp: the two run apart
        int[] s = SHAPES[0];
        ConvPair apart = pair(s, new float[s[2] * s[0] * 9], Epilogue.of(null, Activation.SIGMOID), new float[s[3] * s[0] * 9],
                Epilogue.NONE, VectorSupport.Impl.VECTOR);
        assertTrue(!apart.merged(), apart.strategy());
    }

    @Test
    void rejectsAnOutputTooShort() {
        int[] s = SHAPES[0];
        ConvPair pair = pair(s, new float[s[2] * s[0] * 9], Epilogue.NONE, new float[s[3] * s[0] * 9], Epilogue.NONE, VectorSupport.Impl.AUTO);
        float[] x = new float[s[0] * s[1] * s[1]], y = new float[s[2] * 16 * 16];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pair.run(x, y, new float[10], 1, new float[(int) pair.scratchFloats(1)], TestPools.ONE));
        assertEquals("conv pair: second output holds 10 floats, needs " + s[3] * 256, e.getMessage());
    }

    @Test
    void rejectsWeightsOfTheWrongLength() {
        int[] s = SHAPES[0];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pair(s, new float[s[2] * s[0] * 9], Epilogue.NONE, new float[5], Epilogue.NONE, VectorSupport.Impl.AUTO));
        assertTrue(e.getMessage().contains("5 weights, expected " + s[2] * s[0] * 9 + " and " + s[3] * s[0] * 9), e.getMessage());
    }

    private static void check(int[] s, VectorSupport.Impl impl, Parallel p, int batch, Epilogue e1, Epilogue e2, Random r) {
        int ic = s[0], h = s[1], oc1 = s[2], oc2 = s[3], k = s[4], st = s[5], pad = s[6];
        float[] w1 = random(r, oc1 * ic * k * k, (float) (1 / Math.sqrt(ic * k * k))), w2 = random(r, oc2 * ic * k * k, (float) (1 / Math.sqrt(ic * k * k)));
        ConvPair pair = pair(s, w1, e1, w2, e2, impl);
        int oh = (h + 2 * pad - k) / st + 1;
        float[] x = random(r, batch * ic * h * h, 1f), y1 = new float[batch * oc1 * oh * oh], y2 = new float[batch * oc2 * oh * oh];
        Threads.splitEverything = true;
        try {
            pair.run(x, y1, y2, batch, new float[(int) pair.scratchFloats(p.threads())], p);
        } finally {
            Threads.splitEverything = false;
        }
        double[] ref1 = Reference.conv(ic, h, h, oc1, k, k, st, st, pad, pad, 1, 1, 1, x, w1, e1, null, batch);
        double[] ref2 = Reference.conv(ic, h, h, oc2, k, k, st, st, pad, pad, 1, 1, 1, x, w2, e2, null, batch);
        String what = impl + " " + java.util.Arrays.toString(s) + " batch " + batch + " threads " + p.threads() + " " + pair.strategy();
        double err1 = Reference.relativeError(y1, ref1), err2 = Reference.relativeError(y2, ref2);
        assertTrue(err1 <= TOLERANCE && err2 <= TOLERANCE, () -> what + ": relative errors " + err1 + ", " + err2);
    }

    private static ConvPair pair(int[] s, float[] w1, Epilogue e1, float[] w2, Epilogue e2, VectorSupport.Impl impl) {
        return ConvPair.create(s[0], s[1], s[1], s[2], s[3], s[4], s[4], s[5], s[5], s[6], s[6], 1, 1, w1, e1, w2, e2, impl);
    }

    private static VectorSupport.Impl[] impls() {
        return VectorSupport.available() ? new VectorSupport.Impl[] {VectorSupport.Impl.VECTOR, VectorSupport.Impl.SCALAR}
                : new VectorSupport.Impl[] {VectorSupport.Impl.SCALAR};
    }

    private static float[] random(Random r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * scale);
        return a;
    }
}
