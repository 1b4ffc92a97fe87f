package org.cnnc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The epilogue on runs of a float array, vectorised with the preferred species. No method here
 * takes or returns a vector: a vector passed to a method the JIT does not inline is boxed, and
 * C2 may then allocate the boxes inside the caller's loop, which costs 10× in the kernels.
 */
final class VectorOps {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    private static final FloatVector ZERO = FloatVector.zero(S), ONE = FloatVector.broadcast(S, 1f);

    private VectorOps() {}

    /**
     * The epilogue of a block of {@code rows} channels × {@code width} values: row r reads
     * {@code src[s + r·srcStride + i]}, writes {@code dst[d + r·dstStride + i]}, reads its residual
     * at the same index of {@code res} and is channel {@code c0 + r}:
     * {@code dst = after(act(src + bias[c]) + res)}. {@code src} may be {@code dst}.
     */
    static void epilogue(float[] src, int s, int srcStride, float[] dst, int d, int dstStride, int rows, int width,
                         int c0, Epilogue e, float[] res) {
        final Activation f = e.act(), g = e.after();
        if (clamps(f) && clamps(g)) {
            clamped(src, s, srcStride, dst, d, dstStride, rows, width, c0, e, res);
            return;
        }
        final float alpha = e.alpha(), beta = e.afterAlpha();
        final boolean residual = e.residual();
        final float[] bias = e.bias();
        final int full = width - width % VL;
        for (int r = 0; r < rows; r++) {
            final float b = bias == null ? 0f : bias[c0 + r];
            final int sr = s + r * srcStride, dr = d + r * dstStride;
            // the activations are written out here twice (full vectors, then the masked tail)
            // rather than called: a vector passed to a call that is not inlined is boxed
            for (int i = 0; i < full; i += VL) {
                FloatVector v = FloatVector.fromArray(S, src, sr + i).add(b);
                v = switch (f) {
                    case NONE -> v;
                    case RELU -> ZERO.blend(v, v.compare(VectorOperators.GT, 0f));
                    case RELU6 -> ZERO.blend(v.min(6f), v.compare(VectorOperators.GT, 0f));
                    case LEAKY_RELU -> v.mul(alpha).blend(v, v.compare(VectorOperators.GT, 0f));
                    case SIGMOID -> ONE.div(v.neg().lanewise(VectorOperators.EXP).add(1f));
                    case TANH -> v.lanewise(VectorOperators.TANH);
                };
                if (residual) v = v.add(FloatVector.fromArray(S, res, dr + i));
                v = switch (g) {
                    case NONE -> v;
                    case RELU -> ZERO.blend(v, v.compare(VectorOperators.GT, 0f));
                    case RELU6 -> ZERO.blend(v.min(6f), v.compare(VectorOperators.GT, 0f));
                    case LEAKY_RELU -> v.mul(beta).blend(v, v.compare(VectorOperators.GT, 0f));
                    case SIGMOID -> ONE.div(v.neg().lanewise(VectorOperators.EXP).add(1f));
                    case TANH -> v.lanewise(VectorOperators.TANH);
                };
                v.intoArray(dst, dr + i);
            }
            if (full < width) {
                VectorMask<Float> m = S.indexInRange(full, width);
                FloatVector u = FloatVector.fromArray(S, src, sr + full, m).add(b);
                u = switch (f) {
                    case NONE -> u;
                    case RELU -> ZERO.blend(u, u.compare(VectorOperators.GT, 0f));
                    case RELU6 -> ZERO.blend(u.min(6f), u.compare(VectorOperators.GT, 0f));
                    case LEAKY_RELU -> u.mul(alpha).blend(u, u.compare(VectorOperators.GT, 0f));
                    case SIGMOID -> ONE.div(u.neg().lanewise(VectorOperators.EXP).add(1f));
                    case TANH -> u.lanewise(VectorOperators.TANH);
                };
                if (residual) u = u.add(FloatVector.fromArray(S, res, dr + full, m));
                u = switch (g) {
                    case NONE -> u;
                    case RELU -> ZERO.blend(u, u.compare(VectorOperators.GT, 0f));
                    case RELU6 -> ZERO.blend(u.min(6f), u.compare(VectorOperators.GT, 0f));
                    case LEAKY_RELU -> u.mul(beta).blend(u, u.compare(VectorOperators.GT, 0f));
                    case SIGMOID -> ONE.div(u.neg().lanewise(VectorOperators.EXP).add(1f));
                    case TANH -> u.lanewise(VectorOperators.TANH);
                };
                u.intoArray(dst, dr + full, m);
            }
        }
    }

    /** Whether {@code a} keeps or clamps a value (none, ReLU, ReLU6): the activations of nearly every layer. */
    static boolean clamps(Activation a) {
        return a == Activation.NONE || a == Activation.RELU || a == Activation.RELU6;
    }

    /**
     * {@link #epilogue} for activations that {@link #clamps}, with tested flags instead of the
     * switches: storing bias + ReLU over 256 channel planes of 56×56 in 12 × 32 tiles measured
     * 0.37 ns per value here against 0.62 through the switches.
     */
    private static void clamped(float[] src, int s, int srcStride, float[] dst, int d, int dstStride, int rows, int width,
                                int c0, Epilogue e, float[] res) {
        final boolean relu = e.act() != Activation.NONE, six = e.act() == Activation.RELU6;
        final boolean reluAfter = e.after() != Activation.NONE, sixAfter = e.after() == Activation.RELU6;
        final boolean residual = e.residual();
        final float[] bias = e.bias();
        final int full = width - width % VL;
        for (int r = 0; r < rows; r++) {
            final float b = bias == null ? 0f : bias[c0 + r];
            final int sr = s + r * srcStride, dr = d + r * dstStride;
            for (int i = 0; i < full; i += VL) {
                FloatVector v = FloatVector.fromArray(S, src, sr + i).add(b);
                if (relu) v = ZERO.blend(six ? v.min(6f) : v, v.compare(VectorOperators.GT, 0f));
                if (residual) v = v.add(FloatVector.fromArray(S, res, dr + i));
                if (reluAfter) v = ZERO.blend(sixAfter ? v.min(6f) : v, v.compare(VectorOperators.GT, 0f));
                v.intoArray(dst, dr + i);
            }
            if (full < width) {
                VectorMask<Float> m = S.indexInRange(full, width);
                FloatVector v = FloatVector.fromArray(S, src, sr + full, m).add(b);
                if (relu) v = ZERO.blend(six ? v.min(6f) : v, v.compare(VectorOperators.GT, 0f));
                if (residual) v = v.add(FloatVector.fromArray(S, res, dr + full, m));
                if (reluAfter) v = ZERO.blend(sixAfter ? v.min(6f) : v, v.compare(VectorOperators.GT, 0f));
                v.intoArray(dst, dr + full, m);
            }
        }
    }

    /** Shuffles picking the even and the odd lanes of two vectors (the second's as exceptional indexes). */
    static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i), ODD = VectorShuffle.fromOp(S, i -> 2 * i + 1);

    /**
     * {@code dst[d + j] = src[s + 2j]} for j in [0, n): a stride-2 gather done with two vector
     * loads and a two-vector rearrange per vector of output. May read past {@code src[s + 2(n − 1)]}
     * (not past the array); writes only the n outputs.
     */
    static void everyOther(float[] src, int s, float[] dst, int d, int n) {
        int j = 0;
        for (; j + VL < n; j += VL) {
            FloatVector a = FloatVector.fromArray(S, src, s + 2 * j), b = FloatVector.fromArray(S, src, s + 2 * j + VL);
            a.rearrange(EVEN, b).intoArray(dst, d + j);
        }
        if (j < n) {
            // the lanes read past the run are dropped: read them whole unless past the array
            int i = s + 2 * j;
            if (i + 2 * VL <= src.length) {
                FloatVector a = FloatVector.fromArray(S, src, i), b = FloatVector.fromArray(S, src, i + VL);
                a.rearrange(EVEN, b).intoArray(dst, d + j, S.indexInRange(0, n - j));
            } else {
                // at the array's end (a caller's input): masked loads there take the Vector API's
                // slow lane-by-lane check, plain loads do not
                for (; j < n; j++) dst[d + j] = src[s + 2 * j];
            }
        }
    }

    /**
     * The even elements of the run at {@code src[s]} to {@code dst[even]}, the odd to {@code
     * dst[odd]}, {@code nEven} and {@code nOdd} of them: a row split into its two column phases
     * with two loads and two rearranges per two vectors. Reads nothing past the run.
     */
    static void deinterleave(float[] src, int s, float[] dst, int even, int nEven, int odd, int nOdd) {
        final int both = Math.min(nEven, nOdd);
        int j = 0;
        for (; j + VL <= both; j += VL) {
            FloatVector a = FloatVector.fromArray(S, src, s + 2 * j), b = FloatVector.fromArray(S, src, s + 2 * j + VL);
            a.rearrange(EVEN, b).intoArray(dst, even + j);
            a.rearrange(ODD, b).intoArray(dst, odd + j);
        }
        for (int i = j; i < nEven; i++) dst[even + i] = src[s + 2 * i];
        for (int i = j; i < nOdd; i++) dst[odd + i] = src[s + 2 * i + 1];
    }

}
