package org.cnnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The padded, phase-split copy against the input it stands for, read through its taps. */
class PaddedLayoutTest {
    /** A layout's window shape, and the input it is given when smaller than the shape's. */
    record Case(String name, ConvShape shape, int ih, int iw, float pad) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                conv("3x3 s1 p1", 3, 9, 11, 3, 1, 1, 1),
                conv("3x3 s2 p1 even map (rows split into both column phases)", 3, 16, 16, 3, 2, 1, 1),
                conv("3x3 s2 p1 odd map", 2, 13, 9, 3, 2, 1, 1),
                conv("3x3 s2 p1 rows of several vectors", 2, 6, 70, 3, 2, 1, 1),
                // phase rows of 34 and 35 inputs: each phase's last vector overlaps the one before
                conv("3x3 s2 p1 odd rows of several vectors", 2, 5, 69, 3, 2, 1, 1),
                // rows of one vector, split into two column phases of half a vector each
                conv("3x3 s2 p1 rows of one vector", 3, 6, VectorOps.VL, 3, 2, 1, 1),
                new Case("4x4 s2 p1 rows of one vector (Winograd's windows)",
                        new ConvShape(3, 8, VectorOps.VL, 3, 4, 4, 2, 2, 1, 1, 1, 1, 1), 8, VectorOps.VL, 0f),
                conv("3x3 s2 no padding", 2, 11, 12, 3, 2, 0, 1),
                conv("2x2 s2 no padding", 2, 10, 37, 2, 2, 0, 1),
                conv("1x1 s2 (one phase)", 2, 9, 9, 1, 2, 0, 1),
                conv("5x5 s2 p2", 2, 14, 15, 5, 2, 2, 1),
                conv("3x3 s3 p1", 2, 11, 10, 3, 3, 1, 1),
                conv("3x3 s2 p1 d2", 2, 12, 13, 3, 2, 1, 2),
                conv("5x5 s1 p2 narrow", 1, 28, 5, 5, 1, 2, 1),
                // Winograd's windows: 4x4 stride 2 over an input one row and column short
                new Case("4x4 s2 p1 over a smaller input", new ConvShape(3, 10, 10, 3, 4, 4, 2, 2, 1, 1, 1, 1, 1), 9, 9, 0f),
                // F(4×4)'s: 6x6 stride 4, rows of several vectors with a part vector left, and a
                // map not a multiple of 4 (the input short by three rows and columns)
                new Case("6x6 s4 p1 rows of several vectors", new ConvShape(2, 6, 78, 2, 6, 6, 4, 4, 1, 1, 1, 1, 1), 6, 78, 0f),
                new Case("6x6 s4 p1 over a smaller input", new ConvShape(2, 16, 16, 2, 6, 6, 4, 4, 1, 1, 1, 1, 1), 13, 13, 0f),
                // phase rows longer than those padded whole: each row's padding columns set alone
                new Case("6x6 s4 p1 rows of 28", new ConvShape(2, 6, 110, 2, 6, 6, 4, 4, 1, 1, 1, 1, 1), 6, 110, 0f),
                conv("11x11 s4 p2 (AlexNet's first)", 2, 35, 37, 11, 4, 2, 1),
                new Case("3x3 s2 p1 padded with -inf (max pool)", new ConvShape(2, 12, 12, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1), 12, 12,
                        Float.NEGATIVE_INFINITY));
    }

    private static Case conv(String name, int c, int ih, int iw, int k, int stride, int pad, int dilation) {
        return new Case(name, new ConvShape(c, ih, iw, c, k, k, stride, stride, pad, pad, dilation, dilation, 1), ih, iw, 0f);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyTapReadsTheInputOrThePadding(Case c) {
        ConvShape s = c.shape();
        PaddedLayout l = new PaddedLayout(s, c.ih(), c.iw(), c.pad());
        int batch = 2, size = s.ic() * c.ih() * c.iw(), base = 5;
        float[] x = random(new Random(7 + c.name().hashCode()), batch * size);
        float[] p = new float[base + s.ic() * l.channelStride];
        for (int n = 0; n < batch; n++) {
            Arrays.fill(p, Float.NaN);
            l.fill(x, n * size, 0, s.ic(), p, base);
            for (int ch = 0; ch < s.ic(); ch++) {
                for (int oh = 0; oh < s.oh(); oh++) {
                    for (int ow = 0; ow < s.ow(); ow++) {
                        for (int kh = 0; kh < s.kh(); kh++) {
                            for (int kw = 0; kw < s.kw(); kw++) {
                                int r = oh * s.sh() + kh * s.dh() - s.ph(), col = ow * s.sw() + kw * s.dw() - s.pw();
                                boolean inside = r >= 0 && r < c.ih() && col >= 0 && col < c.iw();
                                float expected = inside ? x[n * size + (ch * c.ih() + r) * c.iw() + col] : c.pad();
                                float got = p[base + ch * l.channelStride + l.taps[kh * s.kw() + kw] + oh * l.wq + ow];
                                assertEquals(expected, got, c + ": channel " + ch + " output " + oh + "," + ow + " tap " + kh + "," + kw);
                            }
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rowsFilledInRangesMatchTheWholeFill(Case c) {
        ConvShape s = c.shape();
        PaddedLayout l = new PaddedLayout(s, c.ih(), c.iw(), c.pad());
        float[] x = random(new Random(11 + c.name().hashCode()), s.ic() * c.ih() * c.iw());
        float[] whole = new float[s.ic() * l.channelStride];
        Arrays.fill(whole, Float.NaN);
        l.fill(x, 0, 0, s.ic(), whole, 0);
        for (int split = 0; split <= l.hq; split++) {
            // two threads' shares, overlapping by a row as theirs do where both read it
            float[] parts = new float[whole.length];
            Arrays.fill(parts, Float.NaN);
            l.fill(x, 0, 0, s.ic(), parts, 0, 0, Math.min(l.hq, split + 1));
            l.fill(x, 0, 0, s.ic(), parts, 0, split, l.hq);
            assertArrayEquals(whole, parts, c + ": split at row " + split);
        }
        // channels [1, ic) alone, written from the start of p
        float[] some = new float[(s.ic() - 1) * l.channelStride];
        l.fill(x, 0, 1, s.ic(), some, 0);
        assertArrayEquals(Arrays.copyOfRange(whole, l.channelStride, whole.length), some, c + ": channels from 1");
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }
}
