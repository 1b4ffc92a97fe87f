package org.cnnc.runtime.kernels;

import static org.cnnc.runtime.kernels.VectorOps.EVEN;
import static org.cnnc.runtime.kernels.VectorOps.ODD;
import static org.cnnc.runtime.kernels.VectorOps.S;
import static org.cnnc.runtime.kernels.VectorOps.VL;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.cnnc.runtime.Parallel;

/**
 * Pooling on the Vector API, one channel of one sample at a time. Windows of stride 1 or 2 are
 * reduced down their rows and then along them ({@link #separable}). Others: the channel is copied into its
 * padded, stride-phase-split image ({@link PaddedLayout}, padded with −∞ for a max, 0 for an
 * average) in the thread's scratch, where each window tap of a run of outputs is one contiguous
 * vector load; vectors run along the output row. Measured against the loops the model emitted
 * before (one clipped window per output), median of one call on 2 threads, on a shared machine:
 * ResNet's 3×3 stride-2 max pool on 64×112×112 1.17 ms against 10.6, VGG's 2×2 on 128×112×112
 * 1.60 ms against 9.44.
 *
 * <p>A 2×2 stride-2 pool without padding (LeNet's, VGG's) reads the input in place instead: the
 * two rows of a window row are combined as they are loaded, then the even and odd lanes of the
 * result, which is the pool; no copy, and no per-row overhead of one.
 *
 * <p>A pool whose one window is the whole unpadded input (the CIFAR ResNet's 8×8 average) reduces
 * each channel's plane as it lies. Through the padded image each of its H·W taps was a stride
 * phase of its own, one row of one value, copied one at a time: 64 channels of 8×8 took 99 µs on
 * one thread, 0.5 µs this way.
 */
final class VectorPool2d extends Pool2d {
    /** The padded image's layout; null for the pools that read the input in place. */
    private final PaddedLayout layout;
    private final boolean pairs, global, separable;
    private final int taps, perThread;
    /**
     * {@link #separable}: the padded row's length (what the last window reads), and where its
     * even and odd halves start in the thread's scratch, after the row and a vector of slack.
     */
    private final int rowLength, evens, odds;
    private final float scale;
    private final Parallel.Task task = this::channels;

    VectorPool2d(ConvShape s, boolean max) {
        super(s, max);
        taps = s.kh() * s.kw();
        scale = 1f / taps;
        pairs = s.kh() == 2 && s.kw() == 2 && s.sh() == 2 && s.sw() == 2 && s.ph() == 0 && s.pw() == 0;
        global = s.kh() == s.ih() && s.kw() == s.iw() && s.ph() == 0 && s.pw() == 0;
        separable = !pairs && !global && s.dh() == 1 && s.dw() == 1 && (s.sw() == 1 || s.sw() == 2) && s.pw() < s.kw() && s.ph() < s.kh();
        rowLength = (s.ow() - 1) * s.sw() + s.kw();
        evens = rowLength + VL;
        odds = evens + rowLength / 2 + 2 * VL;
        // a whole map's layout is a stride phase per tap, worked out for nothing
        layout = pairs || global || separable ? null : new PaddedLayout(s, max ? Float.NEGATIVE_INFINITY : 0f);
        // the image, and a vector of slack: the loads of a row's last vector run past its outputs
        perThread = separable ? odds + rowLength / 2 + 2 * VL : layout == null ? 0 : layout.channelStride + VL;
    }

    @Override
    public long scratchFloats(int threads) {
        return (long) threads * perThread;
    }

    @Override
    public String strategy() {
        return "Vector API " + (max ? "max" : "average") + " pool " + (global ? "over each whole channel, from the input as it lies"
                : pairs ? "2x2 stride 2, from the input as it lies"
                : separable ? "down the window's rows, then along a padded row" : "from the padded image");
    }

    @Override
    public void run(float[] x, float[] y, int batch, float[] scratch, Parallel parallel) {
        checkCall(x, y, batch, scratch, parallel);
        long work = work(batch);
        int threads = Threads.workers(parallel, work, Threads.STREAM);
        parallel.forRange(threads, task, x, y, null, scratch, batch, threads);
    }

    /** Threads [t0, t1) of {@code threads}, each with its share of the batch's channels. */
    private void channels(float[] x, float[] y, float[] unused, float[] scratch, int batch, int threads, int t0, int t1) {
        final int channels = shape.ic(), units = batch * channels, plane = shape.oh() * shape.ow();
        final int in = channels * shape.ih() * shape.iw();
        for (int t = t0; t < t1; t++) {
            int p = Threads.region(scratch, threads, t);
            if (separable) padRow(scratch, p);
            for (int u = (int) ((long) units * t / threads), end = (int) ((long) units * (t + 1) / threads); u < end; u++) {
                int c = u % channels;
                if (global) {
                    y[u] = whole(x, u / channels * in + c * shape.ih() * shape.iw());
                } else if (pairs) {
                    pairs(x, u / channels * in + c * shape.ih() * shape.iw(), y, u * plane);
                } else if (separable) {
                    separable(x, u / channels * in + c * shape.ih() * shape.iw(), scratch, p, y, u * plane);
                } else {
                    layout.fill(x, u / channels * in, c, c + 1, scratch, p);
                    channel(scratch, p, y, u * plane);
                }
            }
        }
    }

    /** The max or average of the channel at {@code x[xc]}: two vectors of partial results, then their lanes. */
    private float whole(float[] x, int xc) {
        final int n = shape.ih() * shape.iw(), end = xc + n;
        final float start = max ? Float.NEGATIVE_INFINITY : 0f;
        FloatVector a = FloatVector.broadcast(S, start), b = a;
        int i = xc;
        for (; i + 2 * VL <= end; i += 2 * VL) {
            FloatVector u = FloatVector.fromArray(S, x, i), v = FloatVector.fromArray(S, x, i + VL);
            a = max ? a.max(u) : a.add(u);
            b = max ? b.max(v) : b.add(v);
        }
        float r = max ? a.max(b).reduceLanes(VectorOperators.MAX) : a.add(b).reduceLanes(VectorOperators.ADD);
        for (; i < end; i++) r = max ? Math.max(r, x[i]) : r + x[i];
        return max ? r : r * scale;
    }

    /** A 2×2 stride-2 unpadded pool of the channel at {@code x[xc]} into {@code y[yc]}. */
    private void pairs(float[] x, int xc, float[] y, int yc) {
        final int oh = shape.oh(), ow = shape.ow(), iw = shape.iw();
        for (int r = 0; r < oh; r++) {
            int a = xc + 2 * r * iw, b = a + iw, yr = yc + r * ow, j = 0;
            // each vector of outputs reads two vectors of each input row: whole vectors as long
            // as they stay inside the array (past a row's end they read the next row, unused)
            for (; j < ow && b + 2 * j + 2 * VL <= x.length; j += VL) {
                FloatVector a0 = FloatVector.fromArray(S, x, a + 2 * j), a1 = FloatVector.fromArray(S, x, a + 2 * j + VL);
                FloatVector b0 = FloatVector.fromArray(S, x, b + 2 * j), b1 = FloatVector.fromArray(S, x, b + 2 * j + VL);
                FloatVector v0 = max ? a0.max(b0) : a0.add(b0), v1 = max ? a1.max(b1) : a1.add(b1);
                FloatVector even = v0.rearrange(EVEN, v1), odd = v0.rearrange(ODD, v1);
                FloatVector v = max ? even.max(odd) : even.add(odd).mul(scale);
                if (j + VL <= ow) {
                    v.intoArray(y, yr + j);
                } else {
                    v.intoArray(y, yr + j, S.indexInRange(j, ow));
                }
            }
            for (; j < ow; j++) {
                int i = 2 * j;
                y[yr + j] = max ? Math.max(Math.max(x[a + i], x[b + i]), Math.max(x[a + i + 1], x[b + i + 1]))
                        : (x[a + i] + x[b + i] + (x[a + i + 1] + x[b + i + 1])) * scale;
            }
        }
    }

    /** {@link #separable}: the padding of the row at {@code p[pBase]}, which the channels' rows leave as it is. */
    private void padRow(float[] p, int pBase) {
        final float pad = max ? Float.NEGATIVE_INFINITY : 0f;
        java.util.Arrays.fill(p, pBase, pBase + shape.pw(), pad);
        java.util.Arrays.fill(p, pBase + shape.pw() + shape.iw(), pBase + evens, pad);
    }

    /**
     * The channel at {@code x[xc]} into {@code y[yc]}, a window being the rows' max (or sum) and
     * then the columns': for each output row, the window's input rows reduced into one row (the
     * rows in the padding left out: −∞ or 0 adds nothing), which lies at {@code p[pBase]} between
     * its padding; then each output a run of that row, or (stride 2) of its even or odd half.
     * ResNet's 3×3 stride-2 max pool on 64×112×112 took 0.57 of the time of the windows through
     * the padded image on one thread (167 µs against 293), 0.77 on two, 0.63 in ResNet-50
     * (150–155 µs against 229–245). Its output rows dealt out to the threads rather than its
     * channels (each thread reading the rows the convolution before wrote on it) took 168–204.
     */
    private void separable(float[] x, int xc, float[] p, int pBase, float[] y, int yc) {
        final int ih = shape.ih(), iw = shape.iw(), oh = shape.oh(), ow = shape.ow(), kh = shape.kh();
        final int sh = shape.sh(), row = pBase + shape.pw(), fullIn = iw - iw % VL, fullOut = ow - ow % VL;
        for (int r = 0; r < oh; r++) {
            final int lo = Math.max(0, r * sh - shape.ph()), hi = Math.min(ih, r * sh - shape.ph() + kh);
            final int first = xc + lo * iw;
            int j = 0;
            for (; j < fullIn; j += VL) down(x, first + j, hi - lo, iw).intoArray(p, row + j);
            if (j < iw && iw >= VL) {
                // the last vector again, overlapping the one before
                down(x, first + iw - VL, hi - lo, iw).intoArray(p, row + iw - VL);
            } else if (j < iw) {
                // a row shorter than a vector
                VectorMask<Float> m = S.indexInRange(0, iw);
                downMasked(x, first, hi - lo, iw, m).intoArray(p, row, m);
            }
            if (shape.sw() == 2) VectorOps.deinterleave(p, pBase, p, pBase + evens, (rowLength + 1) / 2, pBase + odds, rowLength / 2);
            final int yr = yc + r * ow;
            for (j = 0; j < fullOut; j += VL) along(p, pBase, j).intoArray(y, yr + j);
            if (j < ow) along(p, pBase, j).intoArray(y, yr + j, S.indexInRange(j, ow));
        }
    }

    /** The max (or sum) of {@code rows} vectors {@code stride} apart from {@code x[at]}. */
    private FloatVector down(float[] x, int at, int rows, int stride) {
        FloatVector acc = FloatVector.fromArray(S, x, at);
        for (int i = 1; i < rows; i++) {
            FloatVector v = FloatVector.fromArray(S, x, at + i * stride);
            acc = max ? acc.max(v) : acc.add(v);
        }
        return acc;
    }

    /** {@link #down} under a mask, for a row shorter than a vector. */
    private FloatVector downMasked(float[] x, int at, int rows, int stride, VectorMask<Float> m) {
        FloatVector acc = FloatVector.fromArray(S, x, at, m);
        for (int i = 1; i < rows; i++) {
            FloatVector v = FloatVector.fromArray(S, x, at + i * stride, m);
            acc = max ? acc.max(v) : acc.add(v);
        }
        return acc;
    }

    /** Outputs [j, j + VL) of the reduced row at {@code p[pBase]} (stride 1), or of its halves (stride 2). */
    private FloatVector along(float[] p, int pBase, int j) {
        final int kw = shape.kw();
        final boolean halves = shape.sw() == 2;
        FloatVector acc = FloatVector.fromArray(S, p, halves ? pBase + evens + j : pBase + j);
        for (int t = 1; t < kw; t++) {
            FloatVector v = FloatVector.fromArray(S, p, halves ? pBase + (t % 2 == 0 ? evens : odds) + t / 2 + j : pBase + t + j);
            acc = max ? acc.max(v) : acc.add(v);
        }
        return max ? acc : acc.mul(scale);
    }

    /** One channel from its padded image at {@code p[pBase]} into {@code y[yc]}. */
    private void channel(float[] p, int pBase, float[] y, int yc) {
        final int oh = shape.oh(), ow = shape.ow(), wq = layout.wq, full = ow - ow % VL;
        final int[] tap = layout.taps;
        for (int r = 0; r < oh; r++) {
            int row = pBase + r * wq, yr = yc + r * ow;
            for (int j = 0; j < ow; j += VL) {
                FloatVector acc = FloatVector.fromArray(S, p, row + tap[0] + j);
                for (int t = 1; t < taps; t++) {
                    FloatVector v = FloatVector.fromArray(S, p, row + tap[t] + j);
                    acc = max ? acc.max(v) : acc.add(v);
                }
                if (!max) acc = acc.mul(scale);
                if (j < full) {
                    acc.intoArray(y, yr + j);
                } else {
                    acc.intoArray(y, yr + j, S.indexInRange(j, ow));
                }
            }
        }
    }
}
