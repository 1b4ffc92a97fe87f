package org.cnnc.runtime.kernels;

import java.util.Arrays;

/**
 * The input of a strided, padded convolution rearranged so that each kernel tap reads a
 * contiguous run: each channel is zero-padded and split into stride phases (phase (a, b) holds
 * the padded pixels at rows ≡ a, columns ≡ b modulo the stride), each phase image Hq × Wq. Output
 * pixel (oh, ow) at extended column q = oh·Wq + ow reads tap (kh, kw) at {@code tap(kh, kw) + q}
 * within its channel. Only the phases some tap reads are kept. Used by the vector kernels only
 * (it copies stride-2 rows with vector shuffles).
 */
final class PaddedLayout {
    final int hq, wq, phases;
    /** Floats per channel. */
    final int channelStride;
    /** Offset of tap (kh, kw) within a channel, index kh·KW + kw. */
    final int[] taps;
    /** Extended columns that hold every output: (OH − 1)·Wq + OW. */
    final int extent;
    private final int[] phaseH, phaseW;
    private final ConvShape s;
    /** The input as it lies. */
    private final int ih, iw;
    /** What padding reads as: 0 for a convolution, −∞ for a max pool. */
    private final float pad;

    PaddedLayout(ConvShape s) {
        this(s, 0f);
    }

    PaddedLayout(ConvShape s, float pad) {
        this(s, s.ih(), s.iw(), pad);
    }

    /**
     * The windows of {@code s} over an input of only {@code ih × iw} (at most {@code s}'s): the
     * rows and columns {@code s} has beyond it read as padding, as bottom and right padding
     * would.
     */
    PaddedLayout(ConvShape s, int ih, int iw, float pad) {
        if (ih > s.ih() || iw > s.iw()) throw new IllegalArgumentException(ih + "x" + iw + " is larger than " + s);
        this.s = s;
        this.ih = ih;
        this.iw = iw;
        this.pad = pad;
        hq = s.oh() + (s.kh() - 1) * s.dh() / s.sh();
        wq = s.ow() + (s.kw() - 1) * s.dw() / s.sw();
        int[] index = new int[s.sh() * s.sw()];
        Arrays.fill(index, -1);
        int[] ph = new int[index.length], pw = new int[index.length];
        int n = 0;
        taps = new int[s.kh() * s.kw()];
        for (int i = 0; i < s.kh(); i++) {
            for (int j = 0; j < s.kw(); j++) {
                int fh = i * s.dh() % s.sh(), fw = j * s.dw() % s.sw(), f = fh * s.sw() + fw;
                if (index[f] < 0) {
                    index[f] = n;
                    ph[n] = fh;
                    pw[n] = fw;
                    n++;
                }
            }
        }
        phases = n;
        phaseH = Arrays.copyOf(ph, n);
        phaseW = Arrays.copyOf(pw, n);
        for (int i = 0; i < s.kh(); i++) {
            for (int j = 0; j < s.kw(); j++) {
                int f = index[i * s.dh() % s.sh() * s.sw() + j * s.dw() % s.sw()];
                taps[i * s.kw() + j] = f * hq * wq + i * s.dh() / s.sh() * wq + j * s.dw() / s.sw();
            }
        }
        channelStride = Math.multiplyExact(phases * hq, wq);
        extent = (s.oh() - 1) * wq + s.ow();
    }

    /** The end of the rows of each phase image that output rows [oh0, oh1) read: they start at oh0. */
    int endRow(int oh1) {
        return Math.min(hq, oh1 + (s.kh() - 1) * s.dh() / s.sh());
    }

    /**
     * Writes input channels [c0, c1) of the sample at {@code x[xBase]} to {@code p}, channel c at
     * {@code pBase + (c − c0)·channelStride}.
     */
    void fill(float[] x, int xBase, int c0, int c1, float[] p, int pBase) {
        fill(x, xBase, c0, c1, p, pBase, 0, hq);
    }

    /** As {@link #fill(float[], int, int, int, float[], int)}, rows [i0, i1) of each phase image only. */
    void fill(float[] x, int xBase, int c0, int c1, float[] p, int pBase, int i0, int i1) {
        final int sh = s.sh(), sw = s.sw();
        for (int c = c0; c < c1; c++) {
            int pc = pBase + (c - c0) * channelStride;
            for (int f = 0; f < phases; f++) {
                int fh = phaseH[f] - s.ph(), fw = phaseW[f] - s.pw();
                int jLo = Math.min(wq, Math.max(0, Math.floorDiv(-fw + sw - 1, sw)));
                int jHi = Math.max(jLo, Math.min(wq, Math.floorDiv(iw - 1 - fw, sw) + 1));
                for (int i = i0; i < i1; i++) {
                    int r = i * sh + fh, dst = pc + f * hq * wq + i * wq;
                    if (r < 0 || r >= ih) {
                        Arrays.fill(p, dst, dst + wq, pad);
                        continue;
                    }
                    int src = xBase + (c * ih + r) * iw + fw;
                    for (int j = 0; j < jLo; j++) p[dst + j] = pad;
                    if (sw == 1) {
                        System.arraycopy(x, src + jLo, p, dst + jLo, jHi - jLo);
                    } else if (sw == 2) {
                        VectorOps.everyOther(x, src + 2 * jLo, p, dst + jLo, jHi - jLo);
                    } else {
                        for (int j = jLo; j < jHi; j++) p[dst + j] = x[src + j * sw];
                    }
                    for (int j = jHi; j < wq; j++) p[dst + j] = pad;
                }
            }
        }
    }
}
