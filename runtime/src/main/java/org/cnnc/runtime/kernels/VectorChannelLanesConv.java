package org.cnnc.runtime.kernels;

import static org.cnnc.runtime.kernels.VectorOps.S;
import static org.cnnc.runtime.kernels.VectorOps.VL;

import jdk.incubator.vector.FloatVector;
import org.cnnc.runtime.Parallel;

/**
 * Convolution with the output channels along the lanes, for output maps seven pixels wide
 * (ResNet's and MobileNetV2's last stage, 7×7): Yᵀ[pixels, OC] = Bᵀ[pixels, K] · Wᵀ[K, OC]. The
 * register tile is a row of seven output pixels × three vectors of output channels (21 sums):
 * per row of K, three vector loads of packed weights and seven broadcasts of input values, one
 * for each pixel. The matrix product with the pixels along the lanes ({@link VectorGemmConv})
 * computes a 7×7 map's 49 pixels as 64 columns (two panels of two vectors), a quarter of them
 * padding; here no pixel is padding, and output channels are padded to whole tiles instead
 * (2048, 512, 320 and 960 channels: at most 5 % more).
 *
 * <p>B is not packed: a tile's seven pixels read seven consecutive values of the padded,
 * stride-phase-split image ({@link PaddedLayout}) at each tap, or of the input as it lies where
 * that is already the image (stride 1, no padding). The sums go to scratch with a scatter (lane
 * l of a vector to its channel's row of the output plane), and the epilogue writes them out a
 * run of output rows per channel ({@link VectorOps#epilogue}), so the residual may be the output
 * itself.
 *
 * <p>Taken where {@link Conv2d#channelsAlongLanes} says. AMD EPYC Zen 5 (AVX-512), against the
 * GEMM kernel, each alone, the same shape in one JVM: 1×1 512 → 2048 at 7×7 0.85 of the time on
 * one thread and 0.82 on two, 2048 → 512 0.82 and 0.82, 960 → 320 0.80 and 0.78, 960 → 160 0.87
 * and 0.74; 3×3 512 → 512 0.78 on one thread and two. With K = 160 (160 → 960) it took 1.10 of
 * the time: each tile's scatter and epilogue weigh on a short sum. At 14×14 (two tiles a row)
 * the GEMM kernel pads an eighth of its columns and was as fast or faster (1×1 1024 → 256,
 * 256 → 1024, 384 → 64).
 */
final class VectorChannelLanesConv extends Conv2d {
    /** Output pixels of a tile: one output row. */
    static final int MR = Conv2d.LANES_ROW;
    /** Output channels of a tile: three vectors. */
    static final int NR = 3 * VL;
    /** Floats of a tile's sums. */
    private static final int TILE = MR * NR;

    private final int k, panels, plane, wq;
    private final boolean direct;
    private final PaddedLayout layout;
    /** Offset of row k of B (channel, tap) from a tile's first pixel in the image. */
    private final int[] offs;
    /** Weights as [panel][k][NR], channels past OC zero. */
    private final float[] w;
    /** Lane l of a vector of sums goes l output planes on: {@code l × plane}. */
    private final int[] lanePlanes = new int[VL];
    /**
     * Scratch per thread: the padded image (none where direct), a tile's sums pixel by pixel, then
     * a panel's sums as NR rows of the plane.
     */
    private final int pFloats, perThread;
    private final SampleShares samples = new SampleShares(this::part);

    VectorChannelLanesConv(ConvShape s, float[] weights, Epilogue epilogue) {
        super(s, epilogue);
        if (!Conv2d.lanesFit(s, 2 * VL)) throw new IllegalArgumentException("output channels along the lanes cannot compute " + s);
        k = s.k();
        panels = Math.ceilDiv(s.oc(), NR);
        plane = s.oh() * s.ow();
        direct = s.readsInPlace();
        layout = direct ? null : new PaddedLayout(s);
        wq = direct ? s.iw() : layout.wq;
        offs = VectorGemmConv.rowOffsets(s, layout);
        for (int l = 0; l < VL; l++) lanePlanes[l] = l * plane;
        pFloats = direct ? 0 : Math.multiplyExact(s.ic(), layout.channelStride);
        // the epilogue loads a channel's last vector of sums whole
        perThread = Math.addExact(pFloats, TILE + NR * plane + VL);
        w = new float[Math.multiplyExact(panels * NR, k)];
        for (int o = 0; o < s.oc(); o++) {
            int base = o / NR * k * NR + o % NR;
            for (int i = 0; i < k; i++) w[base + i * NR] = weights[o * k + i];
        }
    }

    @Override
    public long scratchFloats(int threads) {
        return (long) threads * perThread;
    }

    @Override
    public String strategy() {
        return "Vector API, output channels along the lanes: tiles of " + MR + " pixels x " + NR + " channels, K " + k
                + (direct ? " from the input" : " from a padded input in " + layout.phases + " stride phase(s)");
    }

    @Override
    public void run(float[] x, float[] y, float[] residual, int batch, float[] scratch, Parallel parallel) {
        checkCall(x, y, residual, batch, scratch, parallel);
        samples.run(x, y, residual, batch, scratch, parallel, shape.macs());
    }

    /**
     * Share {@code share} of {@code shares} of sample n ({@link SampleShares.Part}): a contiguous run
     * of (panel, output row) units, panel by panel, so that each thread reads its part of the
     * weights. The thread's own padded image is at {@code scratch[pBase]}.
     */
    private void part(float[] x, float[] y, float[] res, float[] scratch, int n, int share, int shares, int pBase) {
        final int oh = shape.oh(), units = panels * oh;
        final int u0 = (int) ((long) units * share / shares), u1 = (int) ((long) units * (share + 1) / shares);
        if (u0 == u1) return;
        final float[] img = direct ? x : scratch;
        final int imgBase = direct ? n * inputSize() : pBase, sums = pBase + pFloats, rows = sums + TILE, yBase = n * outputSize();
        if (!direct) layout.fill(x, n * inputSize(), 0, shape.ic(), scratch, pBase);
        for (int u = u0; u < u1; ) {
            final int panel = u / oh, r0 = u % oh, r1 = Math.min(oh, r0 + (u1 - u));
            for (int r = r0; r < r1; r++) {
                tile(img, imgBase + r * wq, panel * k * NR, scratch, sums);
                scatter(scratch, sums, scratch, rows + r * MR);
            }
            final int c0 = panel * NR;
            VectorOps.epilogue(scratch, rows + r0 * MR, plane, y, yBase + c0 * plane + r0 * MR, plane, Math.min(NR, shape.oc() - c0),
                    (r1 - r0) * MR, c0, epilogue, res);
            u += r1 - r0;
        }
    }

    /**
     * One tile: the output row whose first pixel reads {@code img[base]} at tap offset 0, against
     * the panel of weights at {@code w[wo]}; its sums to {@code s[at]}, pixel by pixel, three
     * vectors a pixel. The scatter to the channels' rows is {@link #scatter}'s: written here, its
     * 21 call sites left C2 short of the inlining budget in some compilations, and the scatters it
     * did not inline boxed their vectors (hundreds of KB a call in ResNet-50).
     */
    private void tile(float[] img, int base, int wo, float[] s, int at) {
        final float[] w = this.w;
        final int[] offs = this.offs;
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00, c20 = c00, c21 = c00,
                c22 = c00, c30 = c00, c31 = c00, c32 = c00, c40 = c00, c41 = c00, c42 = c00, c50 = c00, c51 = c00, c52 = c00,
                c60 = c00, c61 = c00, c62 = c00;
        for (int i = 0; i < k; i++, wo += NR) {
            final int xo = base + offs[i];
            final FloatVector w0 = FloatVector.fromArray(S, w, wo), w1 = FloatVector.fromArray(S, w, wo + VL),
                    w2 = FloatVector.fromArray(S, w, wo + 2 * VL);
            FloatVector a = FloatVector.broadcast(S, img[xo]);
            c00 = w0.fma(a, c00);
            c01 = w1.fma(a, c01);
            c02 = w2.fma(a, c02);
            a = FloatVector.broadcast(S, img[xo + 1]);
            c10 = w0.fma(a, c10);
            c11 = w1.fma(a, c11);
            c12 = w2.fma(a, c12);
            a = FloatVector.broadcast(S, img[xo + 2]);
            c20 = w0.fma(a, c20);
            c21 = w1.fma(a, c21);
            c22 = w2.fma(a, c22);
            a = FloatVector.broadcast(S, img[xo + 3]);
            c30 = w0.fma(a, c30);
            c31 = w1.fma(a, c31);
            c32 = w2.fma(a, c32);
            a = FloatVector.broadcast(S, img[xo + 4]);
            c40 = w0.fma(a, c40);
            c41 = w1.fma(a, c41);
            c42 = w2.fma(a, c42);
            a = FloatVector.broadcast(S, img[xo + 5]);
            c50 = w0.fma(a, c50);
            c51 = w1.fma(a, c51);
            c52 = w2.fma(a, c52);
            a = FloatVector.broadcast(S, img[xo + 6]);
            c60 = w0.fma(a, c60);
            c61 = w1.fma(a, c61);
            c62 = w2.fma(a, c62);
        }
        c00.intoArray(s, at);
        c01.intoArray(s, at + VL);
        c02.intoArray(s, at + 2 * VL);
        c10.intoArray(s, at + 3 * VL);
        c11.intoArray(s, at + 4 * VL);
        c12.intoArray(s, at + 5 * VL);
        c20.intoArray(s, at + 6 * VL);
        c21.intoArray(s, at + 7 * VL);
        c22.intoArray(s, at + 8 * VL);
        c30.intoArray(s, at + 9 * VL);
        c31.intoArray(s, at + 10 * VL);
        c32.intoArray(s, at + 11 * VL);
        c40.intoArray(s, at + 12 * VL);
        c41.intoArray(s, at + 13 * VL);
        c42.intoArray(s, at + 14 * VL);
        c50.intoArray(s, at + 15 * VL);
        c51.intoArray(s, at + 16 * VL);
        c52.intoArray(s, at + 17 * VL);
        c60.intoArray(s, at + 18 * VL);
        c61.intoArray(s, at + 19 * VL);
        c62.intoArray(s, at + 20 * VL);
    }

    /**
     * A tile's sums from {@code s[from]} (pixel by pixel, three vectors of channels a pixel) to
     * {@code to[at]}, each channel's row of the plane {@link #plane} floats after the one before.
     */
    private void scatter(float[] s, int from, float[] to, int at) {
        final int[] map = lanePlanes;
        for (int p = 0; p < MR; p++) {
            for (int v = 0; v < 3; v++) {
                FloatVector.fromArray(S, s, from + (3 * p + v) * VL).intoArray(to, at + p + v * VL * plane, map, 0);
            }
        }
    }
}
