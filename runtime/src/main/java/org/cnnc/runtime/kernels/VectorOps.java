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
    static final FloatVector ZERO = FloatVector.zero(S);
    /** 0, 1, 2, …: compared with a count, the mask of a run's last lanes (cheaper than {@code S.indexInRange}). */
    private static final FloatVector IOTA = FloatVector.zero(S).addIndex(1);

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
        // the rarer activations go over the block in two passes, act with the bias and the
        // residual, then after: written into one loop, each case would be written out four times
        // (act and after, full vectors and the masked tail)
        final float[] added = e.residual() ? res : null;
        pass(f, e.alpha(), src, s, srcStride, e.bias(), c0, added, dst, d, dstStride, rows, width);
        if (g != Activation.NONE) pass(g, e.afterAlpha(), dst, d, dstStride, null, 0, null, dst, d, dstStride, rows, width);
    }

    /**
     * {@code y[d + r·dstStride + i] = a(x[s + r·srcStride + i] + bias[c0 + r]) + res[d + r·dstStride + i]}
     * over the block (no bias or residual where null). The residual is read before the output is
     * stored, as it may lie in the output's place. A row's last vector is loaded whole where the
     * arrays go on past it (its extra lanes are computed and dropped) and stored under a mask; at
     * an array's end the last values are done one by one.
     */
    private static void pass(Activation a, float alpha, float[] x, int s, int srcStride, float[] bias, int c0, float[] res,
                             float[] y, int d, int dstStride, int rows, int width) {
        if (curves(a)) {
            curve(a == Activation.TANH, x, s, srcStride, bias, c0, res, y, d, dstStride, rows, width);
            return;
        }
        for (int r = 0; r < rows; r++) {
            final int from = s + r * srcStride, at = d + r * dstStride;
            final float b = bias == null ? 0f : bias[c0 + r];
            int i = 0;
            for (; i < width && from + i + VL <= x.length && (res == null || at + i + VL <= res.length); i += VL) {
                FloatVector v = FloatVector.fromArray(S, x, from + i).add(b);
                v = switch (a) {
                    case NONE -> v;
                    case RELU -> ZERO.blend(v, v.compare(VectorOperators.GT, 0f));
                    case RELU6 -> ZERO.blend(v.min(6f), v.compare(VectorOperators.GT, 0f));
                    case LEAKY_RELU -> v.mul(alpha).blend(v, v.compare(VectorOperators.GT, 0f));
                    case SIGMOID, TANH -> throw new AssertionError(a);
                };
                if (res != null) v = v.add(FloatVector.fromArray(S, res, at + i));
                if (i + VL <= width) v.intoArray(y, at + i);
                else v.intoArray(y, at + i, IOTA.compare(VectorOperators.LT, width - i));
            }
            for (; i < width; i++) y[at + i] = a.apply(x[from + i] + b, alpha) + (res == null ? 0f : res[at + i]);
        }
    }

    /**
     * {@link #pass} for the sigmoid 1 / (1 + e^−x) and tanh(x) = sign(x)·(e^u − 1) / (e^u + 1),
     * u = 2|x|. The exponential is split as e^z = 2^k·(1 + q(r)), z = k·ln 2 + r, |r| ≤ ln 2 / 2:
     * k = round(z·log₂e) by adding and subtracting 1.5·2²³, after which the sum's low bits hold k
     * and make 2^k shifted into the exponent's place; r = z − k·ln 2 in two fused steps, ln 2 as
     * the float nearest it plus the float nearest what that leaves out; q(r) = e^r − 1 the Taylor
     * series to r⁷ (the first term left out is under 6·10⁻⁹ there) in Estrin's order, whose chain
     * of dependent operations is half Horner's. e^u − 1 = 2^k·q + (2^k − 1) keeps tanh's relative
     * accuracy near 0. z is clamped to [−87, 88], where 2^k stays a normal float. NaN stays NaN.
     */
    private static void curve(boolean tanh, float[] x, int s, int srcStride, float[] bias, int c0, float[] res,
                              float[] y, int d, int dstStride, int rows, int width) {
        // the constants as locals, which C2 keeps in registers (static vectors it loads every time)
        final FloatVector lo = FloatVector.broadcast(S, -87f), hi = FloatVector.broadcast(S, 88f),
                log2e = FloatVector.broadcast(S, 1.44269504f), round = FloatVector.broadcast(S, 12582912f),
                ln2Hi = FloatVector.broadcast(S, -0.6931472f), ln2Lo = FloatVector.broadcast(S, 1.9046542e-9f),
                c2 = FloatVector.broadcast(S, 1f / 2), c3 = FloatVector.broadcast(S, 1f / 6), c4 = FloatVector.broadcast(S, 1f / 24),
                c5 = FloatVector.broadcast(S, 1f / 120), c6 = FloatVector.broadcast(S, 1f / 720), c7 = FloatVector.broadcast(S, 1f / 5040),
                one = FloatVector.broadcast(S, 1f);
        final Activation a = tanh ? Activation.TANH : Activation.SIGMOID;
        for (int row = 0; row < rows; row++) {
            final int from = s + row * srcStride, at = d + row * dstStride;
            final float b = bias == null ? 0f : bias[c0 + row];
            int i = 0;
            for (; i < width && from + i + VL <= x.length && (res == null || at + i + VL <= res.length); i += VL) {
                FloatVector v = FloatVector.fromArray(S, x, from + i).add(b);
                FloatVector z = tanh ? v.abs().mul(2f) : v.neg();
                z = z.blend(lo, z.compare(VectorOperators.LT, lo)).blend(hi, z.compare(VectorOperators.GT, hi));
                FloatVector t = z.fma(log2e, round), k = t.sub(round);
                FloatVector r = k.fma(ln2Lo, k.fma(ln2Hi, z));
                FloatVector r2 = r.mul(r);
                FloatVector q = r.fma(c7, c6).fma(r2, r.fma(c5, c4)).fma(r2, r.fma(c3, c2)).fma(r2, r);
                FloatVector scale = t.reinterpretAsInts().add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector u;
                if (tanh) {
                    FloatVector em1 = q.fma(scale, scale.sub(one));
                    u = em1.div(em1.add(2f));
                    u = u.blend(u.neg(), v.compare(VectorOperators.LT, 0f));
                } else {
                    u = one.div(q.fma(scale, scale).add(one));
                }
                if (res != null) u = u.add(FloatVector.fromArray(S, res, at + i));
                if (i + VL <= width) u.intoArray(y, at + i);
                else u.intoArray(y, at + i, IOTA.compare(VectorOperators.LT, width - i));
            }
            for (; i < width; i++) y[at + i] = a.apply(x[from + i] + b, 0f) + (res == null ? 0f : res[at + i]);
        }
    }

    /** Whether {@code a} is a sigmoid or tanh, which {@link #curve} computes. */
    static boolean curves(Activation a) {
        return a == Activation.SIGMOID || a == Activation.TANH;
    }

    /** Whether {@code a} keeps or clamps a value (none, ReLU, ReLU6): the activations of nearly every layer. */
    static boolean clamps(Activation a) {
        return a == Activation.NONE || a == Activation.RELU || a == Activation.RELU6;
    }

    /** Whether {@code a} clamps below at zero (ReLU, ReLU6): the first step of a clamping epilogue. */
    static boolean clampsAtZero(Activation a) {
        return a == Activation.RELU || a == Activation.RELU6;
    }

    /** Whether {@code a} clamps above at six (ReLU6). */
    static boolean clampsAtSix(Activation a) {
        return a == Activation.RELU6;
    }

    /**
     * {@link #epilogue} for activations that {@link #clamps}, with tested flags instead of the
     * switches: storing bias + ReLU over 256 channel planes of 56×56 in 12 × 32 tiles measured
     * 0.37 ns per value here against 0.62 through the switches.
     */
    private static void clamped(float[] src, int s, int srcStride, float[] dst, int d, int dstStride, int rows, int width,
                                int c0, Epilogue e, float[] res) {
        final boolean relu = clampsAtZero(e.act()), six = clampsAtSix(e.act());
        final boolean reluAfter = clampsAtZero(e.after()), sixAfter = clampsAtSix(e.after());
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

    /**
     * For runs of {@code width} values laid {@code extra} apart (rows of output pixels, or of
     * Winograd's tiles, in extended columns): per position in a run a vector may start at, the
     * two-vector shuffle that picks a vector of consecutive values, lane l from l + (start + l) /
     * width · extra on (the rows it has passed). None if width is 0; the caller keeps the reach
     * under two vectors.
     */
    @SuppressWarnings("unchecked")
    static VectorShuffle<Float>[] acrossRuns(int width, int extra) {
        VectorShuffle<Float>[] shuffles = new VectorShuffle[width];
        for (int start = 0; start < width; start++) {
            final int at = start;
            shuffles[start] = VectorShuffle.fromOp(S, l -> l + (at + l) / width * extra);
        }
        return shuffles;
    }

    /** Shuffles picking the even and the odd lanes of two vectors (the second's as exceptional indexes). */
    static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i), ODD = VectorShuffle.fromOp(S, i -> 2 * i + 1);
    /**
     * A vector's even lanes, and its odd ones, in its first half (the second half's lanes are
     * not stored); and the mask that stores that half. Not a species of half the width: a second
     * float species anywhere in the JVM gives the Vector API's shared methods a second receiver
     * type in their profiles, and C2, compiling a register tile with such a profile, at times
     * left the tile's stores and with them every vector it computes boxed on the heap (the
     * CIFAR ResNet then ran 4 to 10 times slower for the rest of the run, in about one run in four
     * that loaded two models in one JVM).
     */
    private static final VectorShuffle<Float> EVENS_FIRST = VectorShuffle.fromOp(S, i -> 2 * i % VL),
            ODDS_FIRST = VectorShuffle.fromOp(S, i -> (2 * i + 1) % VL);
    private static final VectorMask<Float> FIRST_HALF = S.indexInRange(0, VL / 2);

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
     * {@code dst[d + k·stride + j] = src[s + 4j + k]} for k in [0, 4), j in [0, n): a run split
     * into its four column phases with four loads and two rounds of even and odd lanes (eight
     * rearranges) per four vectors. A last part vector is the run's last whole vector again, its
     * first lanes written twice (rows of 56 took 0.31 ns a value so, 0.78 with a masked last store);
     * runs shorter than a vector go one value at a time. Reads nothing past the run.
     */
    static void deinterleave4(float[] src, int s, float[] dst, int d, int stride, int n) {
        if (n < VL) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < 4; k++) dst[d + k * stride + j] = src[s + 4 * j + k];
            }
            return;
        }
        for (int j = 0; j < n; j += VL) {
            int at = Math.min(j, n - VL), i = s + 4 * at;
            FloatVector a = FloatVector.fromArray(S, src, i), b = FloatVector.fromArray(S, src, i + VL),
                    c = FloatVector.fromArray(S, src, i + 2 * VL), e = FloatVector.fromArray(S, src, i + 3 * VL);
            FloatVector evenAb = a.rearrange(EVEN, b), oddAb = a.rearrange(ODD, b);
            FloatVector evenCe = c.rearrange(EVEN, e), oddCe = c.rearrange(ODD, e);
            evenAb.rearrange(EVEN, evenCe).intoArray(dst, d + at);
            oddAb.rearrange(EVEN, oddCe).intoArray(dst, d + stride + at);
            evenAb.rearrange(ODD, evenCe).intoArray(dst, d + 2 * stride + at);
            oddAb.rearrange(ODD, oddCe).intoArray(dst, d + 3 * stride + at);
        }
    }

    /**
     * The even elements of the run at {@code src[s]} to {@code dst[even]}, the odd to {@code
     * dst[odd]}, {@code nEven} and {@code nOdd} of them: a row split into its two column phases
     * with two loads and two rearranges per two vectors. Reads nothing past the run.
     */
    static void deinterleave(float[] src, int s, float[] dst, int even, int nEven, int odd, int nOdd) {
        deinterleave(src, s, 0, dst, even, odd, 0, nEven, nOdd, 1);
    }

    /**
     * {@link #deinterleave(float[], int, float[], int, int, int, int)} for {@code rows} runs
     * {@code srcStride} apart, each split to rows {@code dstStride} apart: one call for a
     * channel's rows, rather than one a row.
     */
    static void deinterleave(float[] src, int s, int srcStride, float[] dst, int even, int odd, int dstStride,
                             int nEven, int nOdd, int rows) {
        if (nEven == VL / 2 && nOdd == VL / 2 && s + (rows - 1) * srcStride + VL <= src.length) {
            // rows of one vector (64 channels of 8×8 into Winograd's windows): each phase in one
            // rearrange, stored under a mask
            for (int r = 0; r < rows; r++, s += srcStride, even += dstStride, odd += dstStride) {
                FloatVector v = FloatVector.fromArray(S, src, s);
                v.rearrange(EVENS_FIRST).intoArray(dst, even, FIRST_HALF);
                v.rearrange(ODDS_FIRST).intoArray(dst, odd, FIRST_HALF);
            }
            return;
        }
        final int both = Math.min(nEven, nOdd);
        for (int r = 0; r < rows; r++, s += srcStride, even += dstStride, odd += dstStride) {
            int j = 0;
            for (; j + VL <= both; j += VL) {
                FloatVector a = FloatVector.fromArray(S, src, s + 2 * j), b = FloatVector.fromArray(S, src, s + 2 * j + VL);
                a.rearrange(EVEN, b).intoArray(dst, even + j);
                a.rearrange(ODD, b).intoArray(dst, odd + j);
            }
            phaseTail(src, s, dst, even, nEven, j, 0);
            phaseTail(src, s, dst, odd, nOdd, j, 1);
        }
    }

    /**
     * Elements [j, n) of column phase {@code phase} (0 even, 1 odd) of the run at {@code src[s]}
     * to {@code dst[d]}: the phase's last vector again, overlapping the one before, where it lies
     * in the array; else one at a time.
     */
    private static void phaseTail(float[] src, int s, float[] dst, int d, int n, int j, int phase) {
        if (j >= n) return;
        if (n >= VL && s + 2 * n <= src.length) {
            int i = s + 2 * (n - VL);
            FloatVector a = FloatVector.fromArray(S, src, i), b = FloatVector.fromArray(S, src, i + VL);
            a.rearrange(phase == 0 ? EVEN : ODD, b).intoArray(dst, d + n - VL);
        } else {
            for (int k = j; k < n; k++) dst[d + k] = src[s + 2 * k + phase];
        }
    }

}
