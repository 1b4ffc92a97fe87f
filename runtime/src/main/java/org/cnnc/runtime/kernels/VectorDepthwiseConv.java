package org.cnnc.runtime.kernels;

import static org.cnnc.runtime.kernels.VectorOps.EVEN;
import static org.cnnc.runtime.kernels.VectorOps.ODD;
import static org.cnnc.runtime.kernels.VectorOps.S;
import static org.cnnc.runtime.kernels.VectorOps.VL;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.cnnc.runtime.Parallel;

/**
 * Depthwise convolution (groups = IC = OC) on the Vector API, direct, one channel of one sample
 * at a time; vectors run along the output row, each tap one vector load and one FMA.
 *
 * <p>Each channel is first copied into its padded, stride-phase-split image ({@link PaddedLayout})
 * in the thread's scratch, where every tap of a run of outputs is one contiguous, unmasked load.
 * Measured (144 channels 56×56, 3×3 stride 1, one thread, best of many calls): 0.25–0.33 ms
 * this way, of which the copies take about 0.13 ms; reading the input in place with masked
 * loads for the padding instead (no copy) took 0.31–0.42 ms.
 *
 * <p>The sums of a channel go to scratch and the epilogue writes them out, so the residual may
 * be the output itself.
 *
 * <p>A 3×3 convolution of stride 1 or 2 padded by 1 whose activations clamp (none, ReLU, ReLU6:
 * all of MobileNetV2's) is computed in one pass instead, from the input as it lies: the taps are
 * plain loads one lane left of, at, and one lane right of each vector of outputs in the three
 * input rows (for stride 2, the even or odd lanes of two loads); the lanes that fall outside the
 * row are the padding and are zeroed by a blend; the epilogue is applied in registers and the
 * result stored. No copy, no scratch. Against the copy, one thread: 144 channels 56×56 stride 1
 * 0.92 of the time, 576 channels 14×14 0.27 (the copy's cost is per row); stride 2 0.62 at
 * 112×112 and 56×56, 0.25 at 14×14. (Masked loads at the row ends, or lanes shifted across
 * vectors with {@code slice}, left C2 calling the Vector API's Java fallbacks: many times slower.)
 *
 * <p>A stride-1 channel runs as one run of vectors over its whole plane, rows end to end
 * ({@link #plane3x3}); where rows are not whole vectors (28, 14, 7 wide with 8-float vectors) the
 * last vector ends at the plane's end. Against rows with masked last vectors (AMD EPYC Zen 3,
 * AVX2, one thread): 960 channels 7×7 0.45 of the time, 384 at 14×14 0.58, 192 at 28×28 0.85.
 * The vectors clear of the first and the last row sum the left, centre and right column of taps
 * apart and clear the lanes of the left and right sums that fall on the padding with a bitwise
 * and against a table (which also clears an infinity or NaN read from the neighbouring row), 13
 * vector operations where blending each tap by its masks took 25: one thread, 144 channels 56×56
 * 0.69 of the time, 192 at 28×28 0.50, 384 at 14×14 0.69, 960 at 7×7 1.05 (three of its seven
 * vectors a channel touch the first or the last row and clear each tap). The tables are as long
 * as the plane, indexed by the output's position: tables of one period of the column pattern,
 * indexed modulo that period, kept a bounds check per load and the loop from unrolling
 * (1.15–1.2× the time); two vectors an iteration, whose sums are independent, 1.3×. The vectors
 * touching the first or the last row are the same loop's, their taps above and below cleared by
 * a table too; as a method of their own, called with the weights broadcast again, they took
 * most of a small plane's time (AMD EPYC Zen 5, AVX-512, one thread: 960 channels 7×7 24 µs
 * against 58–61, 576 at 14×14 37 against 56, 192 at 28×28 41–51 against 51–56; MobileNetV2
 * 0.94 and 0.96 of the time, {@code CompareJars} in both orders).
 *
 * <p>Stride 2 stores a row's last vector whole where its extra lanes fall on rows written after
 * it, not masked (one thread, against masked: from 28×28 0.79 of the time, from 56×56 0.85).
 * With output rows at least two vectors long it splits each input row once into its even and
 * odd columns ({@link #splitRows3x3Stride2}) rather than the lanes of every tap. On the AMD EPYC
 * (Zen 5, AVX-512), one thread: 96 channels from 112×112 (rows of 3.5 vectors out) split took
 * 0.87 of the time, 144 from 56×56 (1.75 vectors) 1.50 of the lanes of every tap's.
 */
final class VectorDepthwiseConv extends Conv2d {
    private final PaddedLayout layout;
    private final float[] w;
    private final int taps, perThread, sumsAt;
    /**
     * Whether stride-2 channels come from split rows ({@link #splitRows3x3Stride2}); where those
     * rows start in a thread's scratch, the floats of each half of a row slot, and of the slot.
     */
    private final boolean splitRows;
    private final int rowsAt, half, slot;
    /** Whether the one-pass 3×3 path applies (see above). */
    private final boolean inPlace;
    private final Parallel.Task task = this::channels;
    /** Whether stride-1 channels run as one flat run over the plane ({@link #plane3x3}); its tables are empty if not. */
    private final boolean flat;
    /** For {@link #plane3x3}: all bits set at each position of the plane that has a column left (right) of it, else none. */
    private final int[] leftKeep, rightKeep;
    /** For {@link #plane3x3}'s vectors touching the first or last row: all bits set at each position that has a row above (below) it. */
    private final int[] upKeep, downKeep;

    VectorDepthwiseConv(ConvShape s, float[] weights, Epilogue epilogue) {
        super(s, epilogue);
        w = weights.clone();
        taps = s.kh() * s.kw();
        layout = new PaddedLayout(s);
        // the padded image (reads run up to a vector past a row's last output), then the sums
        // (whose rows are stored as whole vectors)
        sumsAt = layout.channelStride + VL;
        inPlace = taps == 9 && s.sh() == s.sw() && s.sh() <= 2 && s.ph() == 1 && s.pw() == 1 && s.dh() == 1 && s.dw() == 1
                && VectorOps.clamps(epilogue.act()) && VectorOps.clamps(epilogue.after());
        splitRows = inPlace && s.sh() == 2 && s.ow() >= 2 * VL;
        rowsAt = sumsAt + s.oh() * s.ow() + VL;
        // even columns, then odd ones after a zero, each read a vector past the last output
        half = s.ow() + VL + 1;
        slot = 2 * half;
        // the turning row slots and one of zeros
        perThread = rowsAt + (splitRows ? (TURNING + 1) * slot : 0);
        int plane = s.ih() * s.iw();
        // a plane of whole vectors has no last vector overlapping the one before, so it may add a residual
        flat = inPlace && s.sh() == 1 && plane >= VL && (plane % VL == 0 || !epilogue.residual());
        int n = flat ? plane : 0;
        leftKeep = new int[n];
        rightKeep = new int[n];
        upKeep = new int[n];
        downKeep = new int[n];
        for (int q = 0; q < n; q++) {
            leftKeep[q] = q % s.iw() > 0 ? -1 : 0;
            rightKeep[q] = q % s.iw() < s.iw() - 1 ? -1 : 0;
            upKeep[q] = q >= s.iw() ? -1 : 0;
            downKeep[q] = q < plane - s.iw() ? -1 : 0;
        }
    }

    @Override
    public long scratchFloats(int threads) {
        return (long) threads * perThread;
    }

    @Override
    public String strategy() {
        return flat ? "Vector API depthwise 3x3, one pass over each channel plane as one run, epilogue in registers"
                : inPlace ? "Vector API depthwise 3x3, one pass from the input as it lies, epilogue in registers"
                : "Vector API depthwise, direct from the padded image" + (taps == 9 ? ", 3x3 weights in registers" : "");
    }

    @Override
    public void run(float[] x, float[] y, float[] residual, int batch, float[] scratch, Parallel parallel) {
        checkCall(x, y, residual, batch, scratch, parallel);
        // the work of a strided kernel follows the input it reads more than its MACs
        final long work = (long) inputSize() * taps * batch;
        final int threads = Threads.workers(parallel, work, Threads.STREAM);
        parallel.forRange(threads, task, x, y, residual, scratch, batch, threads);
    }

    /** Threads [t0, t1) of {@code threads}, each with its share of the batch's channels. */
    private void channels(float[] x, float[] y, float[] residual, float[] scratch, int batch, int threads, int t0, int t1) {
        final int channels = shape.ic(), units = batch * channels, plane = shape.oh() * shape.ow();
        for (int t = t0; t < t1; t++) {
            int p = Threads.region(scratch, threads, t), sums = p + sumsAt;
            // the slot of zeros after the turning ones: no split row is written there
            if (splitRows) Arrays.fill(scratch, p + rowsAt + TURNING * slot, p + rowsAt + (TURNING + 1) * slot, 0f);
            for (int u = (int) ((long) units * t / threads), end = (int) ((long) units * (t + 1) / threads); u < end; u++) {
                int c = u % channels;
                int xc = u * shape.ih() * shape.iw();
                if (flat && fitsFlat(x, xc)) {
                    plane3x3(x, xc, c, y, u * plane, residual);
                    continue;
                }
                if (inPlace && fitsInPlace(x, xc)) {
                    if (shape.sh() == 1) {
                        rows3x3(x, xc, c, y, u * plane, residual);
                    } else {
                        if (splitRows) {
                            splitRows3x3Stride2(x, xc, c, y, u * plane, residual, scratch, p + rowsAt);
                        } else {
                            rows3x3Stride2(x, xc, c, y, u * plane, residual);
                        }
                    }
                    continue;
                }
                layout.fill(x, u / channels * inputSize(), c, c + 1, scratch, p);
                if (taps == 9) {
                    padded3x3(scratch, p, c, scratch, sums);
                } else {
                    padded(scratch, p, c, scratch, sums);
                }
                VectorOps.epilogue(scratch, sums, 0, y, u * plane, 0, 1, plane, c, epilogue, residual);
            }
        }
    }

    /**
     * Channel c, 3×3 stride 1 padded by 1, from {@code x[xc]} (as it lies: the output has the
     * input's size, so it starts at the same index of y) through the epilogue into {@code y[yc]}.
     * The loads one lane left and right of a vector run into the neighbouring rows; those lanes
     * are the padding and are zeroed, and lanes past the row's end are not stored. The caller
     * keeps the loads inside x ({@link #fitsInPlace}).
     */
    private void rows3x3(float[] x, int xc, int c, float[] y, int yc, float[] res) {
        final int ih = shape.ih(), iw = shape.iw(), wo = c * 9;
        final FloatVector w0 = FloatVector.broadcast(S, w[wo]), w1 = FloatVector.broadcast(S, w[wo + 1]),
                w2 = FloatVector.broadcast(S, w[wo + 2]), w3 = FloatVector.broadcast(S, w[wo + 3]),
                w4 = FloatVector.broadcast(S, w[wo + 4]), w5 = FloatVector.broadcast(S, w[wo + 5]),
                w6 = FloatVector.broadcast(S, w[wo + 6]), w7 = FloatVector.broadcast(S, w[wo + 7]),
                w8 = FloatVector.broadcast(S, w[wo + 8]);
        final Epilogue e = epilogue;
        final float bias = e.bias() == null ? 0f : e.bias()[c];
        final FloatVector zero = FloatVector.zero(S);
        final boolean relu = VectorOps.clampsAtZero(e.act()), six = VectorOps.clampsAtSix(e.act());
        final boolean reluAfter = VectorOps.clampsAtZero(e.after()), sixAfter = VectorOps.clampsAtSix(e.after());
        final boolean residual = e.residual();
        for (int r = 0; r < ih; r++) {
            final int above = xc + (r - 1) * iw, at = xc + r * iw, below = xc + (r + 1) * iw, out = yc + r * iw;
            for (int j = 0; j < iw; j += VL) {
                // lane 0 of the first vector has no left neighbour, lane iw − 1 − j of the last no right one
                final VectorMask<Float> hasLeft = j == 0 ? NOT_FIRST : ALL, hasRight = S.indexInRange(j + 1, iw);
                FloatVector acc = zero.add(bias);
                if (r > 0) {
                    acc = w0.fma(zero.blend(FloatVector.fromArray(S, x, above + j - 1), hasLeft), acc);
                    acc = w1.fma(FloatVector.fromArray(S, x, above + j), acc);
                    acc = w2.fma(zero.blend(FloatVector.fromArray(S, x, above + j + 1), hasRight), acc);
                }
                acc = w3.fma(zero.blend(FloatVector.fromArray(S, x, at + j - 1), hasLeft), acc);
                acc = w4.fma(FloatVector.fromArray(S, x, at + j), acc);
                acc = w5.fma(zero.blend(FloatVector.fromArray(S, x, at + j + 1), hasRight), acc);
                if (r + 1 < ih) {
                    acc = w6.fma(zero.blend(FloatVector.fromArray(S, x, below + j - 1), hasLeft), acc);
                    acc = w7.fma(FloatVector.fromArray(S, x, below + j), acc);
                    acc = w8.fma(zero.blend(FloatVector.fromArray(S, x, below + j + 1), hasRight), acc);
                }
                if (relu) acc = zero.blend(six ? acc.min(6f) : acc, acc.compare(VectorOperators.GT, 0f));
                if (j + VL <= iw) {
                    if (residual) acc = acc.add(FloatVector.fromArray(S, res, out + j));
                    if (reluAfter) acc = zero.blend(sixAfter ? acc.min(6f) : acc, acc.compare(VectorOperators.GT, 0f));
                    acc.intoArray(y, out + j);
                } else {
                    VectorMask<Float> m = S.indexInRange(j, iw);
                    if (residual) acc = acc.add(FloatVector.fromArray(S, res, out + j, m));
                    if (reluAfter) acc = zero.blend(sixAfter ? acc.min(6f) : acc, acc.compare(VectorOperators.GT, 0f));
                    acc.intoArray(y, out + j, m);
                }
            }
        }
    }

    /**
     * {@link #rows3x3} over the whole channel plane as one run of vectors that may cross row
     * ends (14×14: 25 vectors against 14 rows of 2, the second masked). The vectors clear of the
     * first and the last row sum each column of taps (left, centre, right) on its own and clear
     * the left and right sums' lanes that fall on the padding with a bitwise and from the
     * {@link #leftKeep} tables: 9 FMAs, 2 ands and 2 adds a vector. The others also clear the
     * taps of the rows above and below that fall on the padding ({@link #upKeep}).
     * Where the plane is not whole vectors the last vector ends at the plane's end, recomputing a
     * few outputs of the one before (so the plane has no residual then: it may be y itself).
     */
    private void plane3x3(float[] x, int xc, int c, float[] y, int yc, float[] res) {
        final int iw = shape.iw(), plane = shape.ih() * iw, wo = c * 9;
        final FloatVector w0 = FloatVector.broadcast(S, w[wo]), w1 = FloatVector.broadcast(S, w[wo + 1]),
                w2 = FloatVector.broadcast(S, w[wo + 2]), w3 = FloatVector.broadcast(S, w[wo + 3]),
                w4 = FloatVector.broadcast(S, w[wo + 4]), w5 = FloatVector.broadcast(S, w[wo + 5]),
                w6 = FloatVector.broadcast(S, w[wo + 6]), w7 = FloatVector.broadcast(S, w[wo + 7]),
                w8 = FloatVector.broadcast(S, w[wo + 8]);
        final Epilogue e = epilogue;
        final FloatVector bias = FloatVector.broadcast(S, e.bias() == null ? 0f : e.bias()[c]), zero = FloatVector.zero(S),
                six = FloatVector.broadcast(S, 6f);
        final boolean relu = VectorOps.clampsAtZero(e.act()), relu6 = VectorOps.clampsAtSix(e.act());
        final boolean reluAfter = VectorOps.clampsAtZero(e.after()), sixAfter = VectorOps.clampsAtSix(e.after());
        final boolean residual = e.residual();
        // the vectors with lanes in the first row start before this, those with lanes in the last end after it
        final int lastRow = plane - iw;
        for (int p = 0; p < plane; p += VL) {
            // the last vector ends at the plane's end
            final int q = Math.min(p, plane - VL), at = xc + q, above = at - iw, below = at + iw;
            FloatVector aboveLeft = FloatVector.fromArray(S, x, above - 1), aboveCentre = FloatVector.fromArray(S, x, above),
                    aboveRight = FloatVector.fromArray(S, x, above + 1), belowLeft = FloatVector.fromArray(S, x, below - 1),
                    belowCentre = FloatVector.fromArray(S, x, below), belowRight = FloatVector.fromArray(S, x, below + 1);
            if (q < iw || q + VL > lastRow) {
                // lanes in the first or the last row: the taps of the rows above and below that fall on the padding cleared
                final IntVector up = IntVector.fromArray(I, upKeep, q), down = IntVector.fromArray(I, downKeep, q);
                aboveLeft = aboveLeft.reinterpretAsInts().and(up).reinterpretAsFloats();
                aboveCentre = aboveCentre.reinterpretAsInts().and(up).reinterpretAsFloats();
                aboveRight = aboveRight.reinterpretAsInts().and(up).reinterpretAsFloats();
                belowLeft = belowLeft.reinterpretAsInts().and(down).reinterpretAsFloats();
                belowCentre = belowCentre.reinterpretAsInts().and(down).reinterpretAsFloats();
                belowRight = belowRight.reinterpretAsInts().and(down).reinterpretAsFloats();
            }
            FloatVector left = w0.mul(aboveLeft), centre = w1.fma(aboveCentre, bias), right = w2.mul(aboveRight);
            left = w3.fma(FloatVector.fromArray(S, x, at - 1), left);
            centre = w4.fma(FloatVector.fromArray(S, x, at), centre);
            right = w5.fma(FloatVector.fromArray(S, x, at + 1), right);
            left = w6.fma(belowLeft, left);
            centre = w7.fma(belowCentre, centre);
            right = w8.fma(belowRight, right);
            FloatVector acc = centre.add(left.reinterpretAsInts().and(IntVector.fromArray(I, leftKeep, q)).reinterpretAsFloats()
                    .add(right.reinterpretAsInts().and(IntVector.fromArray(I, rightKeep, q)).reinterpretAsFloats()));
            if (relu) {
                acc = zero.blend(acc, acc.compare(VectorOperators.GT, 0f));
                if (relu6) acc = acc.blend(six, acc.compare(VectorOperators.GT, 6f));
            }
            if (residual) acc = acc.add(FloatVector.fromArray(S, res, yc + q));
            if (reluAfter) {
                acc = zero.blend(acc, acc.compare(VectorOperators.GT, 0f));
                if (sixAfter) acc = acc.blend(six, acc.compare(VectorOperators.GT, 6f));
            }
            acc.intoArray(y, yc + q);
        }
    }

    /** Whether {@link #plane3x3}'s loads, a row and a lane beyond the plane on either side, stay inside x. */
    private boolean fitsFlat(float[] x, int xc) {
        return xc - shape.iw() - 1 >= 0 && xc + shape.ih() * shape.iw() + shape.iw() + 1 <= x.length;
    }

    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    private static final VectorMask<Float> ALL = S.maskAll(true), NOT_FIRST = S.indexInRange(-1, VL - 1);

    /** Whether channel plane {@code xc} of x is far enough from x's ends for the in-place paths' loads. */
    private boolean fitsInPlace(float[] x, int xc) {
        return xc >= 1 && xc + shape.ih() * shape.iw() + 2 * VL <= x.length;
    }

    /**
     * {@link #rows3x3} with stride 2: output column o reads input columns 2o − 1, 2o, 2o + 1,
     * the even lanes of the two vectors loaded one lane left of 2o, and the even and odd lanes of
     * the two loaded at 2o.
     */
    private void rows3x3Stride2(float[] x, int xc, int c, float[] y, int yc, float[] res) {
        final int ih = shape.ih(), iw = shape.iw(), oh = shape.oh(), ow = shape.ow(), wo = c * 9;
        final FloatVector w0 = FloatVector.broadcast(S, w[wo]), w1 = FloatVector.broadcast(S, w[wo + 1]),
                w2 = FloatVector.broadcast(S, w[wo + 2]), w3 = FloatVector.broadcast(S, w[wo + 3]),
                w4 = FloatVector.broadcast(S, w[wo + 4]), w5 = FloatVector.broadcast(S, w[wo + 5]),
                w6 = FloatVector.broadcast(S, w[wo + 6]), w7 = FloatVector.broadcast(S, w[wo + 7]),
                w8 = FloatVector.broadcast(S, w[wo + 8]);
        final Epilogue e = epilogue;
        final float bias = e.bias() == null ? 0f : e.bias()[c];
        final FloatVector zero = FloatVector.zero(S);
        final boolean relu = VectorOps.clampsAtZero(e.act()), six = VectorOps.clampsAtSix(e.act());
        final boolean reluAfter = VectorOps.clampsAtZero(e.after()), sixAfter = VectorOps.clampsAtSix(e.after());
        final boolean residual = e.residual();
        final int planeEnd = yc + oh * ow;
        for (int r = 0; r < oh; r++) {
            final int above = xc + (2 * r - 1) * iw, at = above + iw, below = at + iw, out = yc + r * ow;
            for (int j = 0; j < ow; j += VL) {
                // output lane 0 of the first vector has no left neighbour; lane k none on the right where 2(j + k) + 1 ≥ iw
                final VectorMask<Float> hasLeft = j == 0 ? NOT_FIRST : ALL, hasRight = S.indexInRange(j, iw / 2);
                final int i = 2 * j;
                FloatVector acc = zero.add(bias);
                if (r > 0) {
                    FloatVector a = FloatVector.fromArray(S, x, above + i), b = FloatVector.fromArray(S, x, above + i + VL);
                    FloatVector l = FloatVector.fromArray(S, x, above + i - 1).rearrange(EVEN, FloatVector.fromArray(S, x, above + i - 1 + VL));
                    acc = w0.fma(zero.blend(l, hasLeft), acc);
                    acc = w1.fma(a.rearrange(EVEN, b), acc);
                    acc = w2.fma(zero.blend(a.rearrange(ODD, b), hasRight), acc);
                }
                {
                    FloatVector a = FloatVector.fromArray(S, x, at + i), b = FloatVector.fromArray(S, x, at + i + VL);
                    FloatVector l = FloatVector.fromArray(S, x, at + i - 1).rearrange(EVEN, FloatVector.fromArray(S, x, at + i - 1 + VL));
                    acc = w3.fma(zero.blend(l, hasLeft), acc);
                    acc = w4.fma(a.rearrange(EVEN, b), acc);
                    acc = w5.fma(zero.blend(a.rearrange(ODD, b), hasRight), acc);
                }
                if (2 * r + 1 < ih) {
                    FloatVector a = FloatVector.fromArray(S, x, below + i), b = FloatVector.fromArray(S, x, below + i + VL);
                    FloatVector l = FloatVector.fromArray(S, x, below + i - 1).rearrange(EVEN, FloatVector.fromArray(S, x, below + i - 1 + VL));
                    acc = w6.fma(zero.blend(l, hasLeft), acc);
                    acc = w7.fma(a.rearrange(EVEN, b), acc);
                    acc = w8.fma(zero.blend(a.rearrange(ODD, b), hasRight), acc);
                }
                if (relu) acc = zero.blend(six ? acc.min(6f) : acc, acc.compare(VectorOperators.GT, 0f));
                if (j + VL <= ow || !residual && out + j + VL <= planeEnd) {
                    // a whole vector past the row's end writes the start of rows stored after it
                    if (residual) acc = acc.add(FloatVector.fromArray(S, res, out + j));
                    if (reluAfter) acc = zero.blend(sixAfter ? acc.min(6f) : acc, acc.compare(VectorOperators.GT, 0f));
                    acc.intoArray(y, out + j);
                } else {
                    VectorMask<Float> m = S.indexInRange(j, ow);
                    if (residual) acc = acc.add(FloatVector.fromArray(S, res, out + j, m));
                    if (reluAfter) acc = zero.blend(sixAfter ? acc.min(6f) : acc, acc.compare(VectorOperators.GT, 0f));
                    acc.intoArray(y, out + j, m);
                }
            }
        }
    }

    /**
     * {@link #rows3x3Stride2} from rows split once into their even and odd columns. Output
     * column o reads input columns 2o − 1, 2o and 2o + 1: with a row's even columns in E
     * ({@code E[o] = row[2o]}) and its odd ones one place right of a zero ({@code O[0] = 0},
     * {@code O[o + 1] = row[2o + 1]}), those are O[o], E[o] and O[o + 1], three plain loads. Each
     * input row is split once (two loads and two rearranges per vector) into one of five slots
     * at {@code s[rows]}, turning as the output rows go down, an output row ahead of the rows read
     * (an output row's lowest input row is the next one's highest); a sixth slot, zeroed by the
     * caller, stands for the padding rows. Split just before they were read (three slots), the
     * loads of O[o], which straddle two stored vectors, waited on the stores: AMD EPYC Zen 5, 96
     * channels from 112×112 took 2.5 times as long (0.49 ms against 0.20, one thread), 144 from
     * 56×56 2.0 times; MobileNetV2 unchanged (1.01 and 1.00, {@code CompareJars}). Against
     * splitting the lanes for each tap (nine two-vector rearranges and six blends per vector of
     * outputs), one thread: 0.69 of the time from 112×112, 0.74 from 56×56, 0.7–0.95 from 28×28,
     * but 1.15 from 14×14 to rows of 7, shorter than a vector, which keep the other way.
     */
    private void splitRows3x3Stride2(float[] x, int xc, int c, float[] y, int yc, float[] res, float[] s, int rows) {
        final int ih = shape.ih(), iw = shape.iw(), oh = shape.oh(), ow = shape.ow(), wo = c * 9;
        final FloatVector w0 = FloatVector.broadcast(S, w[wo]), w1 = FloatVector.broadcast(S, w[wo + 1]),
                w2 = FloatVector.broadcast(S, w[wo + 2]), w3 = FloatVector.broadcast(S, w[wo + 3]),
                w4 = FloatVector.broadcast(S, w[wo + 4]), w5 = FloatVector.broadcast(S, w[wo + 5]),
                w6 = FloatVector.broadcast(S, w[wo + 6]), w7 = FloatVector.broadcast(S, w[wo + 7]),
                w8 = FloatVector.broadcast(S, w[wo + 8]);
        final Epilogue e = epilogue;
        final float bias = e.bias() == null ? 0f : e.bias()[c];
        final FloatVector zero = FloatVector.zero(S);
        final boolean relu = VectorOps.clampsAtZero(e.act()), six = VectorOps.clampsAtSix(e.act());
        final boolean reluAfter = VectorOps.clampsAtZero(e.after()), sixAfter = VectorOps.clampsAtSix(e.after());
        final boolean residual = e.residual();
        final int planeEnd = yc + oh * ow;
        // the right tap of the last output falls on the padding when the row is odd
        final boolean padRight = 2 * ow - 1 >= iw;
        split(x, xc, s, rowSlot(0, rows), padRight);
        if (ih > 1) split(x, xc + iw, s, rowSlot(1, rows), padRight);
        for (int r = 0; r < oh; r++) {
            // the next output row's input rows, split a row ahead: the loads below that straddle
            // two stored vectors would otherwise wait for the stores to leave the store buffer
            for (int i = 2 * r + 2; i <= 2 * r + 3 && i < ih && r + 1 < oh; i++) split(x, xc + i * iw, s, rowSlot(i, rows), padRight);
            final int above = rowSlot(2 * r - 1, rows), at = rowSlot(2 * r, rows), below = rowSlot(2 * r + 1, rows);
            final int out = yc + r * ow;
            for (int j = 0; j < ow; j += VL) {
                // each row of taps sums apart: three chains of three FMAs rather than one of nine
                FloatVector up = w0.fma(FloatVector.fromArray(S, s, above + half + j), zero.add(bias));
                up = w1.fma(FloatVector.fromArray(S, s, above + j), up);
                up = w2.fma(FloatVector.fromArray(S, s, above + half + j + 1), up);
                FloatVector mid = w3.mul(FloatVector.fromArray(S, s, at + half + j));
                mid = w4.fma(FloatVector.fromArray(S, s, at + j), mid);
                mid = w5.fma(FloatVector.fromArray(S, s, at + half + j + 1), mid);
                FloatVector down = w6.mul(FloatVector.fromArray(S, s, below + half + j));
                down = w7.fma(FloatVector.fromArray(S, s, below + j), down);
                down = w8.fma(FloatVector.fromArray(S, s, below + half + j + 1), down);
                FloatVector acc = up.add(mid).add(down);
                if (relu) acc = zero.blend(six ? acc.min(6f) : acc, acc.compare(VectorOperators.GT, 0f));
                if (j + VL <= ow || !residual && out + j + VL <= planeEnd) {
                    // a whole vector past the row's end writes the start of rows stored after it
                    if (residual) acc = acc.add(FloatVector.fromArray(S, res, out + j));
                    if (reluAfter) acc = zero.blend(sixAfter ? acc.min(6f) : acc, acc.compare(VectorOperators.GT, 0f));
                    acc.intoArray(y, out + j);
                } else {
                    VectorMask<Float> m = S.indexInRange(j, ow);
                    if (residual) acc = acc.add(FloatVector.fromArray(S, res, out + j, m));
                    if (reluAfter) acc = zero.blend(sixAfter ? acc.min(6f) : acc, acc.compare(VectorOperators.GT, 0f));
                    acc.intoArray(y, out + j, m);
                }
            }
        }
    }

    /** Slots for split rows: the five rows an output row and the next one's split take. */
    private static final int TURNING = 5;

    /** The slot input row i is split into, or the slot of zeros for a padding row. */
    private int rowSlot(int i, int rows) {
        return i < 0 || i >= shape.ih() ? rows + TURNING * slot : rows + i % TURNING * slot;
    }

    /**
     * Input row {@code x[src]} split into the slot at {@code s[at]}: its even columns, then (at
     * {@link #half}) a zero and its odd columns, and a zero after them where {@code padRight}.
     * Reads up to two vectors past the outputs' columns (the caller keeps that inside x).
     */
    private void split(float[] x, int src, float[] s, int at, boolean padRight) {
        final int ow = shape.ow(), odd = at + half;
        for (int j = 0; j < ow; j += VL) {
            FloatVector a = FloatVector.fromArray(S, x, src + 2 * j), b = FloatVector.fromArray(S, x, src + 2 * j + VL);
            a.rearrange(EVEN, b).intoArray(s, at + j);
            a.rearrange(ODD, b).intoArray(s, odd + 1 + j);
        }
        s[odd] = 0f;
        if (padRight) s[odd + ow] = 0f;
    }

    /** Sums of channel c from its padded image at {@code p[pBase]} into {@code y[yc]}. */
    private void padded(float[] p, int pBase, int c, float[] y, int yc) {
        final int oh = shape.oh(), ow = shape.ow(), wq = layout.wq, wo = c * taps;
        final int[] tap = layout.taps;
        for (int r = 0; r < oh; r++) {
            int row = pBase + r * wq, yr = yc + r * ow;
            for (int j = 0; j < ow; j += VL) {
                FloatVector acc = FloatVector.zero(S);
                for (int t = 0; t < taps; t++) {
                    acc = FloatVector.broadcast(S, w[wo + t]).fma(FloatVector.fromArray(S, p, row + tap[t] + j), acc);
                }
                acc.intoArray(y, yr + j);
            }
        }
    }

    private void padded3x3(float[] p, int pBase, int c, float[] y, int yc) {
        final int oh = shape.oh(), ow = shape.ow(), wq = layout.wq, wo = c * 9;
        final int[] tap = layout.taps;
        final int t0 = tap[0], t1 = tap[1], t2 = tap[2], t3 = tap[3], t4 = tap[4], t5 = tap[5], t6 = tap[6],
                t7 = tap[7], t8 = tap[8];
        final FloatVector w0 = FloatVector.broadcast(S, w[wo]), w1 = FloatVector.broadcast(S, w[wo + 1]),
                w2 = FloatVector.broadcast(S, w[wo + 2]), w3 = FloatVector.broadcast(S, w[wo + 3]),
                w4 = FloatVector.broadcast(S, w[wo + 4]), w5 = FloatVector.broadcast(S, w[wo + 5]),
                w6 = FloatVector.broadcast(S, w[wo + 6]), w7 = FloatVector.broadcast(S, w[wo + 7]),
                w8 = FloatVector.broadcast(S, w[wo + 8]);
        for (int r = 0; r < oh; r++) {
            int row = pBase + r * wq, yr = yc + r * ow;
            for (int j = 0; j < ow; j += VL) {
                int i = row + j;
                FloatVector acc = w0.mul(FloatVector.fromArray(S, p, i + t0));
                acc = w1.fma(FloatVector.fromArray(S, p, i + t1), acc);
                acc = w2.fma(FloatVector.fromArray(S, p, i + t2), acc);
                acc = w3.fma(FloatVector.fromArray(S, p, i + t3), acc);
                acc = w4.fma(FloatVector.fromArray(S, p, i + t4), acc);
                acc = w5.fma(FloatVector.fromArray(S, p, i + t5), acc);
                acc = w6.fma(FloatVector.fromArray(S, p, i + t6), acc);
                acc = w7.fma(FloatVector.fromArray(S, p, i + t7), acc);
                acc = w8.fma(FloatVector.fromArray(S, p, i + t8), acc);
                acc.intoArray(y, yr + j);
            }
        }
    }
}
