package org.cnnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.Stream;
import org.cnnc.runtime.Parallel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Both pooling implementations against a direct reference, on seeded random data. */
class Pool2dTest {
    private static final Parallel one = TestPools.ONE, two = TestPools.TWO;

    /** c, ih, iw, kh, kw, sh, sw, ph, pw. */
    record Geometry(String name, int c, int ih, int iw, int kh, int kw, int sh, int sw, int ph, int pw) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        Geometry[] geometries = {
            new Geometry("ResNet stem 3x3 s2 p1", 3, 22, 22, 3, 3, 2, 2, 1, 1),
            new Geometry("VGG 2x2 s2", 4, 16, 16, 2, 2, 2, 2, 0, 0),
            new Geometry("2x2 s2 odd input", 3, 9, 13, 2, 2, 2, 2, 0, 0),
            new Geometry("2x2 s2 wide (several vectors a row)", 2, 7, 70, 2, 2, 2, 2, 0, 0),
            new Geometry("3x3 s1 p1 wide", 2, 5, 41, 3, 3, 1, 1, 1, 1),
            new Geometry("3x3 s2 p1 odd width, rows of several vectors", 2, 6, 37, 3, 3, 2, 2, 1, 1),
            new Geometry("3x3 s2 p1 rows under a vector", 2, 7, 7, 3, 3, 2, 2, 1, 1),
            new Geometry("3x3 s1 p1 rows under a vector", 3, 5, 5, 3, 3, 1, 1, 1, 1),
            new Geometry("2x3 s(1,2) p(1,1), taps along the row's halves", 2, 6, 20, 2, 3, 1, 2, 1, 1),
            new Geometry("3x3 s3", 2, 11, 10, 3, 3, 3, 3, 0, 0),
            new Geometry("5x3 s(2,1) p(2,1)", 3, 12, 9, 5, 3, 2, 1, 2, 1),
            new Geometry("8x8 whole map", 5, 8, 8, 8, 8, 8, 8, 0, 0),
            new Geometry("7x7 whole map, ResNet's (vectors and a last value)", 6, 7, 7, 7, 7, 1, 1, 0, 0),
            new Geometry("5x3 whole map (under two vectors)", 3, 5, 3, 5, 3, 2, 2, 0, 0),
            new Geometry("1x1 map 1x1 window", 4, 1, 1, 1, 1, 1, 1, 0, 0),
        };
        return Stream.of(geometries).flatMap(g -> Stream.of(true, false).flatMap(max ->
                Stream.of(VectorSupport.Impl.VECTOR, VectorSupport.Impl.SCALAR).map(impl -> Arguments.of(g, max, impl))));
    }

    @ParameterizedTest(name = "{0} max={1} {2}")
    @MethodSource("cases")
    void poolsAsTheReferenceDoes(Geometry g, boolean max, VectorSupport.Impl impl) {
        Pool2d p = Pool2d.create(g.c(), g.ih(), g.iw(), g.kh(), g.kw(), g.sh(), g.sw(), g.ph(), g.pw(), max, impl);
        int batch = 3, in = g.c() * g.ih() * g.iw(), out = g.c() * p.outH() * p.outW();
        Random r = new Random(31 + g.name().hashCode());
        float[] x = new float[batch * in];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian() - 1.5f;   // mostly negative: padding must not win a max
        float[] expected = reference(g, max, x, batch, p.outH(), p.outW());
        for (Parallel parallel : new Parallel[] {one, two}) {
            boolean split = Threads.splitEverything;
            Threads.splitEverything = true;
            try {
                float[] y = new float[batch * out];
                p.run(x, y, batch, new float[(int) p.scratchFloats(parallel.threads())], parallel);
                for (int i = 0; i < y.length; i++) {
                    assertEquals(expected[i], y[i], 1e-6 * Math.max(1, Math.abs(expected[i])), g + " output " + i);
                }
            } finally {
                Threads.splitEverything = split;
            }
        }
    }

    /** PyTorch's max_pool2d / avg_pool2d (count_include_pad), without ceil mode, window by window. */
    private static float[] reference(Geometry g, boolean max, float[] x, int batch, int oh, int ow) {
        float[] y = new float[batch * g.c() * oh * ow];
        for (int n = 0; n < batch * g.c(); n++) {
            for (int r = 0; r < oh; r++) {
                for (int c = 0; c < ow; c++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    for (int a = 0; a < g.kh(); a++) {
                        for (int b = 0; b < g.kw(); b++) {
                            int h = r * g.sh() - g.ph() + a, w = c * g.sw() - g.pw() + b;
                            if (h < 0 || h >= g.ih() || w < 0 || w >= g.iw()) continue;
                            double v = x[(n * g.ih() + h) * g.iw() + w];
                            acc = max ? Math.max(acc, v) : acc + v;
                        }
                    }
                    y[(n * oh + r) * ow + c] = (float) (max ? acc : acc / (g.kh() * g.kw()));
                }
            }
        }
        return y;
    }

    @Test
    void stridesOfOneOrTwoReduceDownTheRowsThenAlongThem() {
        Pool2d resnet = Pool2d.create(64, 112, 112, 3, 3, 2, 2, 1, 1, true, VectorSupport.Impl.VECTOR);
        Assumptions.assumeTrue(resnet.strategy().startsWith("Vector API"), "the Vector API is not available");
        assertTrue(resnet.strategy().contains("down the window's rows"), resnet.strategy());
        assertTrue(Pool2d.create(2, 11, 10, 3, 3, 3, 3, 0, 0, true, VectorSupport.Impl.VECTOR).strategy().contains("padded image"));
    }

    @Test
    void outputSizeIsPyTorchsWithoutCeilMode() {
        Pool2d p = Pool2d.create(64, 112, 112, 3, 3, 2, 2, 1, 1, true);
        assertEquals(56, p.outH());
        assertEquals(56, p.outW());
    }

    @Test
    void rejectsPaddingOverHalfTheWindow() {
        assertThrows(IllegalArgumentException.class, () -> Pool2d.create(1, 8, 8, 2, 2, 2, 2, 2, 2, true));
    }
}
