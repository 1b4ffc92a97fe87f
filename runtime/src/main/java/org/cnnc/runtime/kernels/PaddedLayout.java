package org.cnnc.runtime.kernels;

import java.util.Arrays;

/**
 * The input of a strided, padded convolution rearranged so that each kernel tap reads a
 * contiguous run: each channel is zero-padded and split into stride phases (phase (a, b) holds
 * the padded pixels at rows ≡ a, columns ≡ b modulo the stride), each phase image Hq × Wq. Output
 * pixel (oh, ow) at extended column q = oh·Wq + ow reads tap (kh, kw) at {@code tap(kh, kw) + q}
 * within its channel. Only the phases some tap reads are kept. Used by the vector kernels only
 * (it copies stride-2 rows, and stride-4 rows into four phases at once, with vector shuffles).
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
    /**
     * With a column stride of 2, for a phase the phase of the same rows and the other columns,
     * where both hold input: {@link #fill} splits each input row into the two at once, the pair
     * led by its phase of lower index. Else −1.
     */
    private final int[] partner;
    /**
     * With a column stride of 4, whether a phase leads the four phases of its rows (column phases
     * 0 to 3, at consecutive indexes, as Winograd's 6×6 windows of stride 4 read them), which
     * {@link #fill} splits each input row into at once; and whether a phase is one of the other
     * three.
     */
    private final boolean[] leadsFour, followsInFour;
    /**
     * For such fours: the phase columns that hold input, [fourFrom[k], fourTo[k]) for column
     * phase k, and [fourJ0, fourJ1) where all four do.
     */
    private final int[] fourFrom = new int[4], fourTo = new int[4];
    private final int fourJ0, fourJ1;
    private final ConvShape s;
    /** The input as it lies. */
    private final int ih, iw;
    /**
     * The longest phase rows padded whole rather than column by column. Setting a row's padding
     * columns one by one costs the same for any row, an extra fill in proportion to its length:
     * one thread, the copy of 16 channels of 32×32 into Winograd's windows (rows of 17) took 0.78
     * of the time padded whole, 32 of 16×16 0.67, 64 of 8×8 0.72, 128 of 28×28 into 4×4 tiles'
     * (rows of 8) 0.80; 64 channels of 56×56 into a stride-2 convolution's (rows of 29) 1.06.
     */
    static final int WHOLE_ROWS = 24;
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
        partner = new int[n];
        Arrays.fill(partner, -1);
        for (int f = 0; f < n && s.sw() == 2; f++) {
            for (int g = 0; g < n; g++) {
                int fw = phaseW[f] - s.pw(), gw = phaseW[g] - s.pw();
                if (g != f && phaseH[g] == phaseH[f] && columnsTo(fw) > columnsFrom(fw) && columnsTo(gw) > columnsFrom(gw)) {
                    partner[f] = g;
                }
            }
        }
        leadsFour = new boolean[n];
        followsInFour = new boolean[n];
        for (int f = 0; f + 3 < n && s.sw() == 4; f++) {
            boolean four = phaseW[f] == 0;
            for (int k = 1; k < 4 && four; k++) four = phaseH[f + k] == phaseH[f] && phaseW[f + k] == k;
            if (four) {
                leadsFour[f] = true;
                for (int k = 1; k < 4; k++) followsInFour[f + k] = true;
            }
        }
        int j0 = 0, j1 = wq;
        for (int k = 0; k < 4; k++) {
            fourFrom[k] = columnsFrom(k - s.pw());
            fourTo[k] = columnsTo(k - s.pw());
            j0 = Math.max(j0, fourFrom[k]);
            j1 = Math.min(j1, fourTo[k]);
        }
        fourJ0 = j0;
        fourJ1 = Math.max(j0, j1);
        for (int i = 0; i < s.kh(); i++) {
            for (int j = 0; j < s.kw(); j++) {
                int f = index[i * s.dh() % s.sh() * s.sw() + j * s.dw() % s.sw()];
                taps[i * s.kw() + j] = f * hq * wq + i * s.dh() / s.sh() * wq + j * s.dw() / s.sw();
            }
        }
        channelStride = Math.multiplyExact(phases * hq, wq);
        extent = (s.oh() - 1) * wq + s.ow();
    }

    /**
     * The extended column of column q when the columns are numbered row after row, rows of
     * {@code width} (the outputs themselves) laid {@code wq} apart in the extended numbering:
     * q + q / width · (wq − width).
     */
    static int extendedColumn(int q, int width, int wq) {
        return q + q / width * (wq - width);
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
        for (int f = 0; f < phases; f++) {
            if (followsInFour[f]) continue;
            if (leadsFour[f]) {
                fillFour(x, xBase, c0, c1, p, pBase, i0, i1, f);
                continue;
            }
            final int g = partner[f];
            if (g >= 0 && g < f) continue;
            final int fh = phaseH[f] - s.ph(), fw = phaseW[f] - s.pw(), gw = g < 0 ? 0 : phaseW[g] - s.pw();
            final int jLo = columnsFrom(fw), n = columnsTo(fw) - jLo, iLo = rowsFrom(fh, i0, i1), iHi = rowsTo(fh, i0, i1);
            final int gLo = g < 0 ? 0 : columnsFrom(gw), gn = g < 0 ? 0 : columnsTo(gw) - gLo;
            // the two phases' first input columns are 0 and 1, one each
            final boolean evenFirst = fw + jLo * 2 == 0;
            final boolean whole = padsWhole(jLo, n) || g >= 0 && padsWhole(gLo, gn);
            for (int c = c0; c < c1; c++) {
                final int image = pBase + (c - c0) * channelStride + f * hq * wq, other = image + (g - f) * hq * wq;
                pad(p, image, i0, iLo, iHi, i1, whole);
                if (g >= 0) pad(p, other, i0, iLo, iHi, i1, whole);
                if (g >= 0 && whole) {
                    // the rows need no padding of their own: all of them split in one call
                    int row = xBase + (c * ih + iLo * sh + fh) * iw, dst = image + iLo * wq + jLo, gDst = other + iLo * wq + gLo;
                    if (evenFirst) {
                        VectorOps.deinterleave(x, row, sh * iw, p, dst, gDst, wq, n, gn, iHi - iLo);
                    } else {
                        VectorOps.deinterleave(x, row, sh * iw, p, gDst, dst, wq, gn, n, iHi - iLo);
                    }
                    continue;
                }
                for (int i = iLo; i < iHi; i++) {
                    int row = xBase + (c * ih + i * sh + fh) * iw, dst = image + i * wq + jLo;
                    if (!whole) padRow(p, image + i * wq, jLo, n);
                    if (g >= 0) {
                        if (!whole) padRow(p, other + i * wq, gLo, gn);
                        int gDst = other + i * wq + gLo;
                        if (evenFirst) {
                            VectorOps.deinterleave(x, row, p, dst, n, gDst, gn);
                        } else {
                            VectorOps.deinterleave(x, row, p, gDst, gn, dst, n);
                        }
                    } else if (sw == 1) {
                        System.arraycopy(x, row + fw + jLo, p, dst, n);
                    } else if (sw == 2) {
                        VectorOps.everyOther(x, row + fw + 2 * jLo, p, dst, n);
                    } else {
                        for (int j = 0, src = row + fw + jLo * sw; j < n; j++) p[dst + j] = x[src + j * sw];
                    }
                }
            }
        }
    }

    /**
     * {@link #fill} for the four phases of one row phase and column phases 0 to 3, from phase
     * {@code f}: each input row split into the four at once where all four hold input, the few
     * columns at either end one at a time.
     */
    private void fillFour(float[] x, int xBase, int c0, int c1, float[] p, int pBase, int i0, int i1, int f) {
        final int fh = phaseH[f] - s.ph(), iLo = rowsFrom(fh, i0, i1), iHi = rowsTo(fh, i0, i1), stride = hq * wq;
        final int[] from = fourFrom, to = fourTo;
        final int j0 = fourJ0, j1 = fourJ1;
        boolean whole = false;
        for (int k = 0; k < 4; k++) whole |= padsWhole(from[k], to[k] - from[k]);
        for (int c = c0; c < c1; c++) {
            final int image = pBase + (c - c0) * channelStride + f * stride;
            for (int k = 0; k < 4; k++) pad(p, image + k * stride, i0, iLo, iHi, i1, whole);
            for (int i = iLo; i < iHi; i++) {
                final int row = xBase + (c * ih + i * 4 + fh) * iw - s.pw(), dst = image + i * wq;
                VectorOps.deinterleave4(x, row + 4 * j0, p, dst + j0, stride, j1 - j0);
                for (int k = 0; k < 4; k++) {
                    int phaseRow = dst + k * stride;
                    if (!whole) padRow(p, phaseRow, from[k], to[k] - from[k]);
                    for (int j = from[k]; j < Math.min(j0, to[k]); j++) p[phaseRow + j] = x[row + 4 * j + k];
                    for (int j = Math.max(j1, from[k]); j < to[k]; j++) p[phaseRow + j] = x[row + 4 * j + k];
                }
            }
        }
    }

    /** The first column of a phase image whose input column offset is {@code fw} that holds input. */
    private int columnsFrom(int fw) {
        return Math.min(wq, Math.max(0, Math.floorDiv(-fw + s.sw() - 1, s.sw())));
    }

    /** The end of the columns of a phase image whose input column offset is {@code fw} that hold input. */
    private int columnsTo(int fw) {
        return Math.max(columnsFrom(fw), Math.min(wq, Math.floorDiv(iw - 1 - fw, s.sw()) + 1));
    }

    /** The first of rows [i0, i1) of a phase image whose input row offset is {@code fh} that holds input. */
    private int rowsFrom(int fh, int i0, int i1) {
        return Math.max(i0, Math.min(i1, Math.floorDiv(-fh + s.sh() - 1, s.sh())));
    }

    /** The end of rows [i0, i1) of a phase image whose input row offset is {@code fh} that hold input. */
    private int rowsTo(int fh, int i0, int i1) {
        return Math.max(rowsFrom(fh, i0, i1), Math.min(i1, Math.floorDiv(ih - 1 - fh, s.sh()) + 1));
    }

    /**
     * Whether phase rows whose input columns are [jLo, jLo + n) are padded whole before the input
     * is copied over them ({@link #pad}): where they have padding columns and are at most {@link
     * #WHOLE_ROWS} long.
     */
    private boolean padsWhole(int jLo, int n) {
        return (jLo > 0 || jLo + n < wq) && wq <= WHOLE_ROWS;
    }

    /** Pads the row at {@code p[row]} outside its input columns [jLo, jLo + n). */
    private void padRow(float[] p, int row, int jLo, int n) {
        for (int j = 0; j < jLo; j++) p[row + j] = pad;
        for (int j = jLo + n; j < wq; j++) p[row + j] = pad;
    }

    /**
     * Pads rows [i0, i1) of the phase image at {@code p[image]}: all of them in one fill where
     * {@code whole} ({@link #padsWhole}), the input then copied over it; else only the rows
     * wholly padding, [i0, iLo) and [iHi, i1), each other row's padding columns set by {@link
     * #padRow}.
     */
    private void pad(float[] p, int image, int i0, int iLo, int iHi, int i1, boolean whole) {
        if (whole) {
            Arrays.fill(p, image + i0 * wq, image + i1 * wq, pad);
        } else {
            Arrays.fill(p, image + i0 * wq, image + iLo * wq, pad);
            Arrays.fill(p, image + iHi * wq, image + i1 * wq, pad);
        }
    }
}
