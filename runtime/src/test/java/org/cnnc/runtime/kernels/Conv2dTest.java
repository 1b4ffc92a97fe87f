package org.cnnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.cnnc.runtime.Parallel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Both convolution implementations against a double-precision reference, on seeded random data. */
class Conv2dTest {
    static final double TOLERANCE = 1e-5;
    private static final Parallel one = TestPools.ONE, two = TestPools.TWO;

    /** ic, ih, iw, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups. */
    record Geometry(String name, int ic, int ih, int iw, int oc, int kh, int kw, int sh, int sw, int ph, int pw,
                    int dh, int dw, int groups) {
        @Override
        public String toString() {
            return name;
        }

        ConvShape shape() {
            return new ConvShape(ic, ih, iw, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups);
        }

        /** Weights per output channel. */
        int k() {
            return ic / groups * kh * kw;
        }

        Conv2d conv(float[] weights, Epilogue e, VectorSupport.Impl impl) {
            return Conv2d.create(ic, ih, iw, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups, weights, e, impl);
        }
    }

    static List<Geometry> geometries() {
        return List.of(
                new Geometry("1x1", 16, 8, 8, 24, 1, 1, 1, 1, 0, 0, 1, 1, 1),
                new Geometry("1x1 OC13 IC3 7x7", 3, 7, 7, 13, 1, 1, 1, 1, 0, 0, 1, 1, 1),
                new Geometry("1x1 many panels", 9, 20, 21, 25, 1, 1, 1, 1, 0, 0, 1, 1, 1),
                // more column panels than a group of one-block K holds, on one thread or two
                new Geometry("1x1 several groups of panels", 5, 27, 41, 7, 1, 1, 1, 1, 0, 0, 1, 1, 1),
                // KC is 128 or 256 rows by the vector length
                new Geometry("1x1 K in two blocks", VectorGemmConv.ONE_BLOCK_UP_TO + 22, 6, 9, 11, 1, 1, 1, 1, 0, 0, 1, 1, 1),
                new Geometry("1x1 K a little past a block, one block", VectorGemmConv.KC + 22, 6, 9, 11, 1, 1, 1, 1, 0, 0, 1, 1, 1),
                new Geometry("1x1 s2", 8, 9, 9, 16, 1, 1, 2, 2, 0, 0, 1, 1, 1),
                new Geometry("1x1 p1", 4, 5, 6, 9, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new Geometry("3x3 s1 p1", 8, 10, 10, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                new Geometry("3x3 p1 OC13 IC3 7x7", 3, 7, 7, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                new Geometry("3x3 p1 wide", 5, 23, 37, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                new Geometry("3x3 s2 p1", 6, 11, 11, 10, 3, 3, 2, 2, 1, 1, 1, 1, 1),
                // output rows a whole number of vectors: the GEMM's columns are the output pixels,
                // read from the padded input or (valid) from the input as it lies
                new Geometry("3x3 s2 p1 output rows a vector long", 6, 9, 2 * VectorOps.VL, 10, 3, 3, 2, 2, 1, 1, 1, 1, 1),
                // output rows shorter than a vector, numbered by pixel where that saves a column
                // panel: each vector of B picked over two rows, and over four (or two on AVX2)
                new Geometry("3x3 s2 p1 output rows half a vector long", 5, VectorOps.VL, VectorOps.VL, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1),
                new Geometry("3x3 s2 p1 output rows of 4", 7, 32, 8, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1),
                new Geometry("3x3 p1 output rows two vectors long", 5, 5, 2 * VectorOps.VL, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                new Geometry("3x3 valid output rows a vector long", 4, 7, VectorOps.VL + 2, 9, 3, 3, 1, 1, 0, 0, 1, 1, 1),
                new Geometry("3x3 s2 p0", 4, 12, 13, 8, 3, 3, 2, 2, 0, 0, 1, 1, 1),
                new Geometry("3x3 valid", 4, 9, 9, 8, 3, 3, 1, 1, 0, 0, 1, 1, 1),
                new Geometry("5x5 valid, LeNet's second", 6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 1, 1, 1),
                new Geometry("3x2 d(2,3) valid", 5, 11, 12, 7, 3, 2, 1, 1, 0, 0, 2, 3, 1),
                new Geometry("grouped 3x3 valid g2", 6, 8, 7, 4, 3, 3, 1, 1, 0, 0, 1, 1, 2),
                // 3×3 stride 1, two of them (even 12×18, odd height 9×6) large enough for Winograd:
                // tiles in several panels and rows, K in several blocks
                new Geometry("3x3 p1 even 12x18", 20, 12, 18, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                new Geometry("3x3 valid even", 16, 10, 8, 17, 3, 3, 1, 1, 0, 0, 1, 1, 1),
                new Geometry("3x3 p1 OC40 4x4", 24, 4, 4, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                new Geometry("3x3 p1 IC past a block 6x4", VectorGemmConv.KC + 2, 6, 4, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                new Geometry("3x3 p1 odd 7x7", 32, 7, 7, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                new Geometry("3x3 p1 odd height 9x6", 16, 9, 6, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                // rows of 2×2 tiles a vector long, which the factory numbers compactly
                new Geometry("3x3 p1 rows of tiles a vector long", 16, 6, 2 * VectorOps.VL, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                // rows of 2×2 tiles half a vector long, in whole vectors of tiles or not
                new Geometry("3x3 p1 rows of tiles half a vector long", 24, 8, VectorOps.VL, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                new Geometry("3x3 p1 rows of tiles half a vector long, 3 rows", 16, 6, VectorOps.VL, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                // one vector of 2×2 tiles covering the output exactly (8×8 on AVX-512), output
                // channels a multiple of two vectors: the products run with the channels along the lanes
                new Geometry("3x3 p1 channels along the lanes", 24, 8, VectorOps.VL / 2, 4 * VectorOps.VL, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                new Geometry("3x3 p1 channels along the lanes, IC past a block", VectorGemmConv.KC + 5, 8, VectorOps.VL / 2,
                        2 * VectorOps.VL, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                // the same tiles over an odd output (7×7 on AVX-512): the outputs outside it dropped
                new Geometry("3x3 p1 channels along the lanes, odd", 20, 7, VectorOps.VL / 2 - 1, 2 * VectorOps.VL, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                // 14 tiles a row: 2×2 tiles' rows 16 apart rather than 15, in as many panels
                new Geometry("3x3 p1 5x28", 16, 5, 28, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                new Geometry("3x3 valid odd 5x8", 16, 7, 10, 18, 3, 3, 1, 1, 0, 0, 1, 1, 1),
                new Geometry("7x7 s2 p3", 3, 20, 20, 8, 7, 7, 2, 2, 3, 3, 1, 1, 1),
                new Geometry("5x5 d2 p4", 4, 13, 13, 9, 5, 5, 1, 1, 4, 4, 2, 2, 1),
                new Geometry("3x3 s3 d2", 3, 17, 16, 11, 3, 3, 3, 3, 2, 1, 2, 2, 1),
                new Geometry("1x3 s(1,2) p(0,1)", 5, 6, 15, 7, 1, 3, 1, 2, 0, 1, 1, 1, 1),
                new Geometry("grouped 3x3 g4", 8, 9, 9, 12, 3, 3, 1, 1, 1, 1, 1, 1, 4),
                new Geometry("grouped 1x1 g2", 6, 7, 9, 10, 1, 1, 1, 1, 0, 0, 1, 1, 2),
                new Geometry("grouped 3x3 s2 g3", 9, 10, 10, 18, 3, 3, 2, 2, 1, 1, 1, 1, 3),
                // at most 8 (extended) columns: one column panel whatever the vector length
                new Geometry("3x3 p1 OC24 2x2 (rows split)", 6, 2, 2, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                new Geometry("1x1 OC40 2x4 (rows split)", 7, 2, 4, 40, 1, 1, 1, 1, 0, 0, 1, 1, 1),
                new Geometry("grouped 1x1 g3 (rows split)", 6, 2, 4, 48, 1, 1, 1, 1, 0, 0, 1, 1, 3),
                // a last column panel of at most 8 columns, two row panels at a time on AVX2, and an odd one left
                new Geometry("1x1 7x7 OC30 IC past a block, half last panel (rows split)", VectorGemmConv.KC + 3, 7, 7, 30, 1, 1, 1, 1,
                        0, 0, 1, 1, 1),
                new Geometry("1x1 5x8 OC15, half last panel", 12, 5, 8, 15, 1, 1, 1, 1, 0, 0, 1, 1, 1),
                // output rows 7 wide and K of 256 or more: on AVX-512 the output channels run along the
                // lanes, in tiles of 48 channels (the last one part full) and 7 pixels
                new Geometry("lanes 1x1 7x7", 256, 7, 7, 90, 1, 1, 1, 1, 0, 0, 1, 1, 1),
                new Geometry("lanes 1x1 s2 to 7x7", 260, 13, 13, 40, 1, 1, 2, 2, 0, 0, 1, 1, 1),
                new Geometry("lanes 3x3 p1 7x7", 32, 7, 7, 140, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                new Geometry("lanes 3x3 s2 p1 to 7x7", 29, 14, 14, 45, 3, 3, 2, 2, 1, 1, 1, 1, 1),
                new Geometry("lanes 1x1 5x7", 256, 5, 7, 47, 1, 1, 1, 1, 0, 0, 1, 1, 1),
                new Geometry("lanes 3x3 d2 p2 3x7", 30, 3, 7, 44, 3, 3, 1, 1, 2, 2, 2, 2, 1),
                new Geometry("depthwise k3 s1", 10, 9, 9, 10, 3, 3, 1, 1, 1, 1, 1, 1, 10),
                new Geometry("depthwise k3 s2", 7, 12, 12, 7, 3, 3, 2, 2, 1, 1, 1, 1, 7),
                new Geometry("depthwise k3 s1 wide", 3, 5, 35, 3, 3, 3, 1, 1, 1, 1, 1, 1, 3),
                new Geometry("depthwise k3 s1 two vectors wide", 4, 6, 32, 4, 3, 3, 1, 1, 1, 1, 1, 1, 4),
                new Geometry("depthwise k3 s1 one row", 2, 1, 3, 2, 3, 3, 1, 1, 1, 1, 1, 1, 2),
                new Geometry("depthwise k3 s2 odd", 3, 9, 13, 3, 3, 3, 2, 2, 1, 1, 1, 1, 3),
                new Geometry("depthwise k3 s2 wide", 2, 5, 70, 2, 3, 3, 2, 2, 1, 1, 1, 1, 2),
                new Geometry("depthwise k3 s1 7x7", 12, 7, 7, 12, 3, 3, 1, 1, 1, 1, 1, 1, 12),
                // a plane's last vector, moved back to end at the plane's end, starts before the last row's vectors would
                new Geometry("depthwise k3 s1 6x7", 12, 6, 7, 12, 3, 3, 1, 1, 1, 1, 1, 1, 12),
                new Geometry("depthwise k3 s2 14x14", 6, 14, 14, 6, 3, 3, 2, 2, 1, 1, 1, 1, 6),
                new Geometry("depthwise k3 s2 odd wide", 5, 9, 37, 5, 3, 3, 2, 2, 1, 1, 1, 1, 5),
                new Geometry("depthwise k5 s2 d2", 5, 15, 14, 5, 5, 5, 2, 2, 4, 4, 2, 2, 5),
                new Geometry("depthwise multiplier 2", 4, 8, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 4));
    }

    static List<Epilogue> someEpilogues(int oc, Random r) {
        float[] bias = random(r, oc, 1f);
        return List.of(
                Epilogue.NONE,
                Epilogue.of(bias, Activation.RELU),
                new Epilogue(bias, Activation.RELU, 0f, true, Activation.RELU, 0f),
                new Epilogue(null, Activation.LEAKY_RELU, 0.1f, true, Activation.SIGMOID, 0f),
                new Epilogue(bias, Activation.TANH, 0f, false, Activation.RELU6, 0f));
    }

    /** Bias or not × every activation × residual or not × every activation after it. */
    static List<Epilogue> everyEpilogue(int oc, Random r) {
        float[] bias = random(r, oc, 1f);
        List<Epilogue> all = new ArrayList<>();
        for (float[] b : new float[][] {null, bias}) {
            for (Activation act : Activation.values()) {
                for (boolean residual : new boolean[] {false, true}) {
                    for (Activation after : Activation.values()) {
                        all.add(new Epilogue(b, act, 0.07f, residual, after, 0.2f));
                    }
                }
            }
        }
        return all;
    }

    static Stream<Arguments> cases() {
        return geometries().stream().flatMap(g -> Stream.of(
                Arguments.of(g, VectorSupport.Impl.VECTOR),
                Arguments.of(g, VectorSupport.Impl.SCALAR)));
    }

    @ParameterizedTest(name = "{1} {0}")
    @MethodSource("cases")
    void matchesReferenceOnEveryShape(Geometry g, VectorSupport.Impl impl) {
        Random r = new Random(g.name().hashCode());
        for (Epilogue e : someEpilogues(g.oc(), r)) {
            // batch 1: each sample split across the threads; batch 2: samples dealt out whole;
            // batch 3: split again (an odd batch); then the calling thread alone
            for (int batch : new int[] {1, 3}) check(g, impl, e, batch, two, true, r);
        }
        Epilogue e = Epilogue.of(random(r, g.oc(), 1f), Activation.RELU);
        check(g, impl, e, 2, two, true, r);
        check(g, impl, e, 2, two, false, r);
        check(g, impl, e, 3, one, true, r);
    }

    static Stream<Arguments> epilogueCases() {
        List<String> names = List.of("3x3 p1 wide", "3x3 p1 OC13 IC3 7x7", "depthwise k3 s1", "depthwise k3 s2 odd", "depthwise k3 s2 odd wide", "1x1 many panels",
                "1x1 K in two blocks", "1x1 s2", "lanes 1x1 7x7", "lanes 3x3 s2 p1 to 7x7");
        return geometries().stream().filter(g -> names.contains(g.name())).flatMap(g -> Stream.of(Arguments.of(g, VectorSupport.Impl.VECTOR), Arguments.of(g, VectorSupport.Impl.SCALAR)));
    }

    @ParameterizedTest(name = "{1} {0}")
    @MethodSource("epilogueCases")
    void appliesEveryEpilogueCombination(Geometry g, VectorSupport.Impl impl) {
        Random r = new Random(42);
        List<Epilogue> all = everyEpilogue(g.oc(), r);
        assertEquals(2 * 6 * 2 * 6, all.size());
        for (Epilogue e : all) check(g, impl, e, 1, two, true, r);
    }

    /**
     * The epilogue cases and some 3×3 geometries, some of them Winograd's (even 12×18, odd height
     * 9×6, and rows of tiles a vector or half a vector long, whose output transform stores
     * through the epilogue itself): the memory plan hands a residual conv its residual as its output.
     */
    static Stream<Arguments> inPlaceCases() {
        List<String> winograd = List.of("3x3 p1 even 12x18", "3x3 p1 odd height 9x6", "3x3 p1 odd 7x7", "3x3 p1 OC40 4x4",
                "3x3 p1 rows of tiles a vector long", "3x3 p1 rows of tiles half a vector long", "3x3 p1 channels along the lanes",
                "3x3 p1 channels along the lanes, odd");
        return Stream.concat(epilogueCases(), geometries().stream().filter(g -> winograd.contains(g.name()))
                .map(g -> Arguments.of(g, VectorSupport.Impl.VECTOR)));
    }

    @ParameterizedTest(name = "{1} {0}")
    @MethodSource("inPlaceCases")
    void takesTheOutputItselfAsTheResidual(Geometry g, VectorSupport.Impl impl) {
        Random r = new Random(7);
        // the clamping activations; a curve before the residual (in the kernel's passes); a curve
        // after it (over the whole output, once stored)
        for (Activation[] acts : new Activation[][] {{Activation.RELU, Activation.RELU6}, {Activation.SIGMOID, Activation.TANH},
                {Activation.RELU, Activation.SIGMOID}}) {
            takesTheOutputItselfAsTheResidual(g, impl, new Epilogue(random(r, g.oc(), 1f), acts[0], 0f, true, acts[1], 0f), r);
        }
    }

    private static void takesTheOutputItselfAsTheResidual(Geometry g, VectorSupport.Impl impl, Epilogue e, Random r) {
        int k = g.k();
        float[] w = random(r, g.oc() * k, (float) (1 / Math.sqrt(k)));
        Conv2d c = g.conv(w, e, impl);
        // batch 1: one sample split across the threads; batch 2: a sample each
        for (int batch = 1; batch <= 2; batch++) {
            float[] x = random(r, batch * c.inputSize(), 1f), y = random(r, batch * c.outputSize(), 1f);
            double[] ref = Reference.conv(g.ic(), g.ih(), g.iw(), g.oc(), g.kh(), g.kw(), g.sh(), g.sw(), g.ph(), g.pw(),
                    g.dh(), g.dw(), g.groups(), x, w, e, y.clone(), batch);
            Threads.splitEverything = true;
            try {
                c.run(x, y, y, batch, new float[(int) c.scratchFloats(2)], two);
            } finally {
                Threads.splitEverything = false;
            }
            double err = Reference.relativeError(y, ref);
            int n = batch;
            assertTrue(err <= TOLERANCE, () -> impl + " " + g + " " + e + ", batch " + n + ": relative error " + err);
        }
    }

    @Test
    void geometriesNamedForChannelsAlongTheLanesTakeThatPath() {
        for (String name : List.of("3x3 p1 channels along the lanes", "3x3 p1 channels along the lanes, IC past a block",
                "3x3 p1 channels along the lanes, odd")) {
            Geometry g = geometries().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
            Conv2d c = g.conv(new float[g.oc() * g.k()], Epilogue.NONE, VectorSupport.Impl.VECTOR);
            assertTrue(c instanceof VectorWinogradConv w && w.channelsInLanes(), name + ": " + c.strategy());
            // the 8×8 planes (four vectors on AVX-512) are transformed along their rows first; 7×7 is picked from
            String from = name.endsWith("odd") ? "windows picked from the input" : "transformed along them first";
            if (VectorOps.VL == 16) assertTrue(c.strategy().contains(from), name + ": " + c.strategy());
        }
    }

    @Test
    void runsOutputChannelsAlongTheLanesOnlyWithSixteenFloatVectorsWhereTheyPay() {
        ConvShape wide = new ConvShape(512, 7, 7, 2048, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        assertTrue(Conv2d.channelsAlongLanes(wide, 32));
        assertFalse(Conv2d.channelsAlongLanes(wide, 16), "8-float vectors: 21 sums do not fit 16 registers");
        assertTrue(Conv2d.channelsAlongLanes(new ConvShape(512, 7, 7, 512, 3, 3, 1, 1, 1, 1, 1, 1, 1), 32), "ResNet's 3×3 at 7×7");
        assertTrue(Conv2d.channelsAlongLanes(new ConvShape(1024, 14, 14, 2048, 1, 1, 2, 2, 0, 0, 1, 1, 1), 32), "stride 2 to 7×7");
        assertFalse(Conv2d.channelsAlongLanes(new ConvShape(160, 7, 7, 960, 1, 1, 1, 1, 0, 0, 1, 1, 1), 32), "K below 256");
        assertFalse(Conv2d.channelsAlongLanes(new ConvShape(512, 7, 7, 24, 1, 1, 1, 1, 0, 0, 1, 1, 1), 32), "24 channels in tiles of 48");
        assertFalse(Conv2d.channelsAlongLanes(new ConvShape(1024, 14, 14, 256, 1, 1, 1, 1, 0, 0, 1, 1, 1), 32), "14 wide");
        assertFalse(Conv2d.channelsAlongLanes(new ConvShape(512, 7, 7, 512, 3, 3, 1, 1, 1, 1, 1, 1, 2), 32), "grouped");
    }

    @Test
    void geometriesNamedForLanesTakeThatPath() {
        assumeTrue(VectorOps.VL == 16, "the output channels run along the lanes with 16-float vectors only");
        List<Geometry> lanes = geometries().stream().filter(g -> g.name().startsWith("lanes")).toList();
        assertEquals(6, lanes.size());
        for (Geometry g : lanes) {
            Conv2d c = g.conv(new float[g.oc() * g.k()], Epilogue.NONE, VectorSupport.Impl.VECTOR);
            assertTrue(c instanceof VectorChannelLanesConv, g + ": " + c.strategy());
        }
    }

    @Test
    void geometriesNamedForBlocksOfKHaveSeveral() {
        for (String name : List.of("1x1 K in two blocks", "3x3 p1 IC past a block 6x4", "3x3 p1 channels along the lanes, IC past a block")) {
            Geometry g = geometries().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
            ConvShape s = g.shape();
            int k = Conv2d.usesWinograd(s) ? s.ic() : s.k();
            assertTrue(k > (Conv2d.usesWinograd(s) ? VectorGemmConv.KC : VectorGemmConv.ONE_BLOCK_UP_TO), g.name() + ": K = " + k + " is one block");
        }
    }

    @Test
    void keepsKAQuarterPastABlockInOneBlock() {
        assumeTrue(VectorSupport.available(), "the Vector API is not available");
        Random r = new Random(5);
        for (int k : new int[] {VectorGemmConv.KC + 1, VectorGemmConv.ONE_BLOCK_UP_TO, VectorGemmConv.ONE_BLOCK_UP_TO + 1}) {
            float[] w = new float[16 * k];
            for (int i = 0; i < w.length; i++) w[i] = r.nextFloat();
            VectorGemmConv c = (VectorGemmConv) Conv2d.create(k, 5, 5, 16, 1, 1, 1, 1, 0, 0, 1, 1, 1, w, Epilogue.NONE, VectorSupport.Impl.VECTOR);
            assertEquals(k <= VectorGemmConv.ONE_BLOCK_UP_TO ? 1 : 2, c.kBlocks(), "K = " + k);
        }
    }

    @Test
    void vectorKernelsAreAvailableToTheTests() {
        assertTrue(VectorSupport.available(), "the tests must run with --add-modules jdk.incubator.vector");
        assertTrue(VectorSupport.describe().startsWith("Vector API"), VectorSupport.describe());
    }

    @Test
    void defaultFactoryPicksTheVectorKernels() {
        Conv2d c = Conv2d.create(4, 6, 6, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, new float[8 * 4 * 9], Epilogue.NONE);
        assertTrue(c instanceof VectorGemmConv, c.strategy());
        Conv2d d = Conv2d.create(4, 6, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 4, new float[4 * 9], Epilogue.NONE);
        assertTrue(d instanceof VectorDepthwiseConv, d.strategy());
    }

    @Test
    void takesWinogradFor3x3StrideOneWithSixteenChannelsOnMapsLargeEnough() {
        assertTrue(winograd(16, 16, 16, 16, 1), "16×16");
        assertTrue(winograd(64, 56, 56, 64, 1), "ResNet layer1");
        assertTrue(winograd(16, 15, 15, 16, 1), "odd 15×15");
        assertTrue(winograd(16, 17, 17, 16, 0), "valid, odd 15×15");
        assertFalse(winograd(8, 16, 16, 16, 1), "8 channels in");
        assertFalse(winograd(16, 16, 16, 8, 1), "8 channels out");
        Conv2d strided = Conv2d.create(16, 16, 16, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1, new float[16 * 16 * 9], Epilogue.NONE);
        assertTrue(strided instanceof VectorGemmConv, strided.strategy());
    }

    @Test
    void numbersColumnsByPixelWhereOutputRowsShorterThanAVectorSaveAPanel() {
        // 16 → 8 wide on AVX-512 (8 → 4 on AVX2): two panels of pixels against three (two) of extended columns
        Conv2d halfRows = Conv2d.create(5, VectorOps.VL, VectorOps.VL, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, new float[14 * 5 * 9], Epilogue.NONE);
        assertTrue(halfRows.strategy().contains("columns the output pixels"), halfRows.strategy());
        // 9 × 9 to 5 × 5: 25 pixels and 29 extended columns take the same panels
        Conv2d same = Conv2d.create(5, 9, 9, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, new float[14 * 5 * 9], Epilogue.NONE);
        assertFalse(same.strategy().contains("columns the output pixels"), same.strategy());
    }

    @Test
    void countsColumnPanelsOfTheVectorKernelsWidth() {
        ConvShape large = new ConvShape(512, 7, 7, 512, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        // 16 tiles numbered compactly: one panel of 16 against the GEMM kernel's four (61
        // extended columns); half of one panel of 32 against two, and U too large for the lanes
        assertEquals(2, Conv2d.winogradTile(large, 16));
        assertEquals(0, Conv2d.winogradTile(large, 32));
        assertFalse(Conv2d.alongLanes(large, 32), "16 MB of U");
        ConvShape cifar = new ConvShape(64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        assertTrue(Conv2d.alongLanes(cifar, 32));
        assertEquals(2, Conv2d.winogradTile(cifar, 32));
        assertFalse(Conv2d.alongLanes(cifar, 16), "16 tiles are two vectors of 8");
        assertFalse(Conv2d.alongLanes(new ConvShape(64, 8, 8, 72, 3, 3, 1, 1, 1, 1, 1, 1, 1), 32), "72 channels");
        // 128 channels: too few pairs to number compactly, two panels of 19 extended columns
        assertEquals(0, Conv2d.winogradTile(new ConvShape(128, 7, 7, 128, 3, 3, 1, 1, 1, 1, 1, 1, 1), 16));
        assertTrue(Conv2d.compactTiles(2, 4, 4, 16, 512, 512), "7×7 in 2×2 tiles, 512 channels");
        assertFalse(Conv2d.compactTiles(2, 4, 4, 16, 128, 128), "128 channels");
        // panels of 32: one either way, but one vector against two, which the half tile takes
        assertTrue(Conv2d.compactTiles(2, 4, 4, 32, 512, 512), "7×7 in 2×2 tiles, panels of 32");
        assertTrue(Conv2d.compactTiles(2, 4, 4, 32, 64, 64), "the CIFAR ResNet's 64 → 64 at 8×8, panels of 32");
        assertFalse(Conv2d.compactTiles(2, 7, 7, 32, 512, 512), "14×14, panels of 32: two panels, four vectors either way");
        assertFalse(Conv2d.compactTiles(2, 7, 7, 16, 512, 512), "14×14: four panels either way");
    }

    @Test
    void takesFourByFourTilesOnLargerMapsWithSixtyFourChannelsOrMore() {
        assertEquals(4, winogradTile(64, 56, 56, 64, 1), "ResNet layer1");
        assertEquals(4, winogradTile(128, 28, 28, 128, 1), "ResNet layer2");
        assertEquals(4, winogradTile(256, 56, 56, 256, 1), "VGG block 3");
        assertEquals(2, winogradTile(256, 14, 14, 256, 1), "14×14: one panel of 16 tiles against two of 49");
        assertEquals(2, winogradTile(16, 32, 32, 16, 1), "16 channels");
        assertEquals(2, winogradTile(32, 56, 56, 32, 1), "32 channels");
        assertEquals(4, winogradTile(512, 28, 28, 512, 1), "VGG block 4");
        assertEquals(2, winogradTile(512, 14, 14, 512, 1), "VGG block 5");
    }

    /** Whether the factory picks Winograd for a 3×3 stride-1 convolution with padding p, checking the kernel it made. */
    private static boolean winograd(int ic, int ih, int iw, int oc, int p) {
        return winogradTile(ic, ih, iw, oc, p) > 0;
    }

    /** The tile side the factory picks for a 3×3 stride-1 convolution with padding p (0: none), checking the kernel it made. */
    private static int winogradTile(int ic, int ih, int iw, int oc, int p) {
        Conv2d c = Conv2d.create(ic, ih, iw, oc, 3, 3, 1, 1, p, p, 1, 1, 1, new float[oc * ic * 9], Epilogue.NONE);
        int tile = Conv2d.winogradTile(ic, ih, iw, oc, 3, 3, 1, 1, p, p, 1, 1, 1);
        assertEquals(tile > 0, c instanceof VectorWinogradConv, c.strategy());
        assertEquals(tile == 0, c instanceof VectorGemmConv, c.strategy());
        if (c instanceof VectorWinogradConv w) assertEquals(tile, w.tileSide(), c.strategy());
        return tile;
    }

    @Test
    void takesShortRowPanelsOnlyWhereTallOnesWasteMuchMore() {
        // AVX-512's tiles, 12 and 8 rows, short from 5 % more rows
        assertEquals(8, VectorGemmConv.rowsPerPanel(16, 12, 8, 5));
        assertEquals(8, VectorGemmConv.rowsPerPanel(6, 12, 8, 5));
        assertEquals(8, VectorGemmConv.rowsPerPanel(8, 12, 8, 5));
        assertEquals(8, VectorGemmConv.rowsPerPanel(32, 12, 8, 5));
        assertEquals(8, VectorGemmConv.rowsPerPanel(64, 12, 8, 5), "72 rows against 64");
        assertEquals(8, VectorGemmConv.rowsPerPanel(160, 12, 8, 5), "168 against 160: 5 %");
        assertEquals(12, VectorGemmConv.rowsPerPanel(24, 12, 8, 5));
        assertEquals(12, VectorGemmConv.rowsPerPanel(256, 12, 8, 5), "264 against 256: 3 %");
        assertEquals(12, VectorGemmConv.rowsPerPanel(2048, 12, 8, 5));
        // AVX2's, 5 and 4 rows, short from 25 %
        assertEquals(4, VectorGemmConv.rowsPerPanel(16, 5, 4, 25));
        assertEquals(4, VectorGemmConv.rowsPerPanel(8, 5, 4, 25));
        assertEquals(4, VectorGemmConv.rowsPerPanel(6, 5, 4, 25));
        assertEquals(5, VectorGemmConv.rowsPerPanel(24, 5, 4, 25));
        assertEquals(5, VectorGemmConv.rowsPerPanel(32, 5, 4, 25));
        assertEquals(5, VectorGemmConv.rowsPerPanel(64, 5, 4, 25));
        assertEquals(5, VectorGemmConv.rowsPerPanel(2048, 5, 4, 25));
    }

    @Test
    void everyRegisterTileComputesItsProductOnAnyMachine() {
        // the factory uses only this machine's two tiles; the others are checked here directly
        Random r = new Random(11);
        int nr = 2 * VectorOps.VL, kc = 37, ldc = nr + 3;
        for (int mr : new int[] {12, 8, 5, 4}) {
            float[] a = random(r, kc * mr, 1f), b = random(r, kc * nr, 1f), c0 = random(r, mr * ldc, 1f);
            for (boolean first : new boolean[] {true, false}) {
                float[] c = c0.clone();
                VectorGemmConv.tile(mr, a, 0, b, 0, kc, c, 0, ldc, first);
                for (int row = 0; row < mr; row++) {
                    for (int col = 0; col < ldc; col++) {
                        double want = col >= nr ? c0[row * ldc + col] : first ? 0 : c0[row * ldc + col];
                        for (int i = 0; col < nr && i < kc; i++) want += (double) a[i * mr + row] * b[i * nr + col];
                        assertEquals(want, c[row * ldc + col], 1e-4, mr + " rows, row " + row + ", column " + col);
                    }
                }
            }
        }
    }

    @Test
    void everyHalfTileComputesTwoRowPanelsAgainstTheFirstVectorOnAnyMachine() {
        Random r = new Random(13);
        int vl = VectorOps.VL, nr = 2 * vl, kc = 29, ldc = nr + 5;
        for (int mr : new int[] {12, 5}) {
            // two row panels apart in a and in c, as the kernels lay them out
            float[] a = random(r, 2 * kc * mr, 1f), b = random(r, kc * nr, 1f), c0 = random(r, 2 * mr * ldc, 1f);
            for (boolean first : new boolean[] {true, false}) {
                float[] c = c0.clone();
                VectorGemmConv.tileHalf(mr, a, 0, kc * mr, b, 0, kc, c, 0, mr * ldc, ldc, first);
                for (int row = 0; row < 2 * mr; row++) {
                    int panel = row / mr, pr = row % mr;
                    for (int col = 0; col < ldc; col++) {
                        double want = col >= vl || !first ? c0[row * ldc + col] : 0;
                        for (int i = 0; col < vl && i < kc; i++) want += (double) a[panel * kc * mr + i * mr + pr] * b[i * nr + col];
                        assertEquals(want, c[row * ldc + col], 1e-4, mr + "-row panels, row " + row + ", column " + col);
                    }
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> VectorGemmConv.tileHalf(8, new float[16], 0, 8, new float[nr], 0, 1,
                new float[16 * nr], 0, 8 * nr, nr, true));
    }

    @Test
    void splitsColumnsWhereEachThreadOfARowSplitWouldRepeatTheInputSide() {
        // 32 → 16 stride 2 at 64×64: 33 column panels (66 with 8-float vectors) and two row panels
        // (four): counting panels alone, rows would balance as well or better; by rows each thread would pad
        // the input and pack B for every column panel
        Conv2d strided = Conv2d.create(32, 64, 64, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1, new float[16 * 32 * 9], Epilogue.NONE,
                VectorSupport.Impl.VECTOR);
        assertTrue(((VectorGemmConv) strided).splitsColumns(2), strided.strategy());
        // Winograd, 16 → 16 at 32×32: 17 column panels and 4 row panels
        Conv2d winograd = Conv2d.create(16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, new float[16 * 16 * 9], Epilogue.NONE,
                VectorSupport.Impl.VECTOR);
        assertTrue(((VectorWinogradConv) winograd).splitsColumns(2), winograd.strategy());
    }

    @Test
    void splitsRowsWhereEachThreadWouldTakeOneColumnPanelAndAllTheWeights() {
        // ResNet-50's 1×1 512 → 2048 at 7×7 on the matrix product (the factory gives it to the
        // output channels along the lanes): 49 pixels in two column panels of 32 (AVX-512), one
        // a thread, which by the balance alone would each read all 4 MB of weights
        assumeTrue(VectorOps.VL == 16, "49 pixels are " + Math.ceilDiv(49, 2 * VectorOps.VL) + " column panels here");
        VectorGemmConv c = new VectorGemmConv(new ConvShape(512, 7, 7, 2048, 1, 1, 1, 1, 0, 0, 1, 1, 1), new float[2048 * 512],
                Epilogue.NONE);
        assertFalse(c.splitsColumns(2), c.strategy());
        // the same 49 pixels against 24 rows (two row panels) still split their columns
        Conv2d few = Conv2d.create(512, 7, 7, 24, 1, 1, 1, 1, 0, 0, 1, 1, 1, new float[24 * 512], Epilogue.NONE,
                VectorSupport.Impl.VECTOR);
        assertTrue(((VectorGemmConv) few).splitsColumns(2), few.strategy());
        Random r = new Random(17);
        Geometry g = new Geometry("1x1 7x7 OC200", 40, 7, 7, 200, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        VectorGemmConv small = (VectorGemmConv) g.conv(new float[200 * 40], Epilogue.NONE, VectorSupport.Impl.VECTOR);
        assertFalse(small.splitsColumns(2), small.strategy());
        check(g, VectorSupport.Impl.VECTOR, Epilogue.of(random(r, 200, 0.5f), Activation.RELU), 1, two, true, r, -1);
    }

    @Test
    void winogradSplitsRowPanelsWhereThereIsOneColumnPanel() {
        // one column panel of tiles and four row panels of 4, which split by vectors only on the
        // 5-row tile (the factory would take the GEMM kernel for so small a map: made directly)
        Geometry g = new Geometry("3x3 p1 OC16 4x4", 24, 4, 4, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        Random r = new Random(23);
        VectorWinogradConv c = new VectorWinogradConv(g.shape(), new float[16 * 24 * 9], Epilogue.NONE, 2);
        assertFalse(c.splitsColumns(2), c.strategy());
        // one sample, which the two threads share
        check(g, (w, e) -> new VectorWinogradConv(g.shape(), w, e, 2), "F(2x2)", Epilogue.of(random(r, 16, 0.5f), Activation.RELU),
                1, two, true, r, -1);
    }

    @Test
    void winogradGivesTwoThreadsAVectorEachOfOneCompactPanel() {
        // 16 → 25 channels on 8 × VL: 4 × VL/2 tiles, one panel numbered compactly, five row
        // panels of 5 (two pairs and one left over); U is 26 KB. Threads split by vectors only on
        // the 5-row tiles, where that was measured.
        assumeTrue(VectorGemmConv.MR == 5, "no split by vectors with " + VectorGemmConv.MR + "-row tiles");
        Geometry g = new Geometry("3x3 p1 OC25 8xVL", 16, 8, VectorOps.VL, 25, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        Random r = new Random(29);
        VectorWinogradConv c = new VectorWinogradConv(g.shape(), new float[25 * 16 * 9], Epilogue.NONE, 2);
        assertTrue(c.compact() && c.strategy().contains("threads split by vectors"), c.strategy());
        assertTrue(c.splitsColumns(2), c.strategy());
        BiFunction<float[], Epilogue, Conv2d> make = (w, e) -> new VectorWinogradConv(g.shape(), w, e, 2);
        for (Epilogue e : someEpilogues(g.oc(), r)) check(g, make, "F(2x2) halves", e, 1, two, true, r, -1);
        // two samples: one each
        check(g, make, "F(2x2) halves", Epilogue.of(random(r, 25, 1f), Activation.RELU), 2, two, true, r, -1);
    }

    @Test
    void winogradStoresThroughTheEpilogueInItsOutputTransformWhereTilesGiveWholeOutputRows() {
        Epilogue relu = Epilogue.of(new float[16], Activation.RELU);
        assertTrue(storesDirect(new ConvShape(16, 6, 2 * VectorOps.VL, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1), relu), "rows of tiles a vector");
        assertTrue(storesDirect(new ConvShape(16, 8, VectorOps.VL, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1), relu), "half a vector, 4 rows");
        assertFalse(storesDirect(new ConvShape(16, 6, VectorOps.VL, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1), relu),
                "half a vector, 3 rows: the last vector of tiles half outside");
        assertFalse(storesDirect(new ConvShape(16, 7, 2 * VectorOps.VL, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1), relu), "odd height");
        assertFalse(storesDirect(new ConvShape(16, 6, 2 * VectorOps.VL, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                Epilogue.of(new float[16], Activation.SIGMOID)), "a curve, stored by its own pass");
    }

    /** With the tiles numbered compactly, as the direct store needs. */
    private static boolean storesDirect(ConvShape s, Epilogue e) {
        return new VectorWinogradConv(s, new float[s.oc() * s.ic() * 9], e, 2, true).storesDirect();
    }

    static Stream<Arguments> winogradCases() {
        return geometries().stream().filter(g -> g.shape().winogradTiles())
                .flatMap(g -> Stream.of(2, 4).flatMap(tile -> Stream.of(Arguments.of(g, tile, false), Arguments.of(g, tile, true))));
    }

    /**
     * Both tile sizes, numbered with extended columns and compactly, on every 3×3 stride-1
     * geometry, made directly whatever the factory would choose: outputs not a multiple of the
     * tile, one panel or several, K in one block or two.
     */
    @ParameterizedTest(name = "F({1}x{1}) compact {2} {0}")
    @MethodSource("winogradCases")
    void winogradOfEitherTileMatchesReference(Geometry g, int tile, boolean compact) {
        Random r = new Random(g.name().hashCode() + tile);
        BiFunction<float[], Epilogue, Conv2d> make = (w, e) -> new VectorWinogradConv(g.shape(), w, e, tile, compact);
        String what = "F(" + tile + "x" + tile + ")" + (compact ? " compact" : "");
        for (Epilogue e : someEpilogues(g.oc(), r)) {
            for (int batch : new int[] {1, 3}) check(g, make, what, e, batch, two, true, r, -1);
        }
        Epilogue e = Epilogue.of(random(r, g.oc(), 1f), Activation.RELU);
        check(g, make, what, e, 2, two, false, r, -1);
        check(g, make, what, e, 1, one, true, r, -1);
    }

    @Test
    void splitsRowPanelsAcrossThreadsOnlyWhenColumnPanelsBalanceWorse() {
        for (Geometry g : geometries()) {
            if (!g.name().contains("rows split") && !g.name().contains("many panels") && !g.name().contains("wide")
                    && !g.name().contains("half last panel") || g.name().contains("depthwise")) {
                continue;
            }
            int k = g.k();
            VectorGemmConv c = (VectorGemmConv) g.conv(new float[g.oc() * k], Epilogue.NONE, VectorSupport.Impl.VECTOR);
            // a last panel counts half only where the 5-row tiles' half tile computes it
            boolean rowsSplit = g.name().contains("rows split") && (!g.name().contains("half last panel") || c.halfLastPanel());
            assertEquals(!rowsSplit, c.splitsColumns(2), g.name() + ": " + c.strategy());
            assertTrue(c.splitsColumns(1), g.name());
        }
    }

    @Test
    void rejectsMismatchedWeightsScratchAndResidual() {
        assertThrows(IllegalArgumentException.class,
                () -> Conv2d.create(4, 6, 6, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, new float[10], Epilogue.NONE));
        assertThrows(IllegalArgumentException.class,
                () -> Conv2d.create(4, 6, 6, 6, 1, 1, 1, 1, 0, 0, 1, 1, 4, new float[6], Epilogue.NONE));
        assertThrows(IllegalArgumentException.class,
                () -> Conv2d.create(4, 2, 2, 4, 5, 5, 1, 1, 0, 0, 1, 1, 1, new float[4 * 4 * 25], Epilogue.NONE));
        for (VectorSupport.Impl impl : new VectorSupport.Impl[] {VectorSupport.Impl.VECTOR, VectorSupport.Impl.SCALAR}) {
            Conv2d c = Conv2d.create(4, 6, 6, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, new float[8 * 4 * 9],
                    new Epilogue(null, Activation.NONE, 0f, true, Activation.NONE, 0f), impl);
            float[] x = new float[c.inputSize()], y = new float[c.outputSize()];
            float[] scratch = new float[(int) c.scratchFloats(2)];
            assertThrows(IllegalArgumentException.class, () -> c.run(x, y, null, 1, scratch, two));
            if (c.scratchFloats(2) > 0) {
                assertThrows(IllegalArgumentException.class, () -> c.run(x, y, y.clone(), 1, new float[1], two));
            }
        }
    }

    @Test
    void outputSizeFollowsPyTorch() {
        Conv2d c = Conv2d.create(3, 224, 224, 64, 7, 7, 2, 2, 3, 3, 1, 1, 1, new float[64 * 3 * 49], Epilogue.NONE);
        assertEquals(112, c.outH());
        assertEquals(112, c.outW());
        Conv2d d = Conv2d.create(1, 13, 10, 1, 5, 3, 3, 2, 4, 0, 2, 1, 1, new float[15], Epilogue.NONE);
        assertEquals((13 + 8 - 8 - 1) / 3 + 1, d.outH());
        assertEquals((10 - 2 - 1) / 2 + 1, d.outW());
    }

    @Test
    void sharesOneScratchSizedForTheKernelNeedingMost() {
        // as in a model: every kernel is given the one scratch, sized for the largest need, and
        // each thread works in its own part of it wherever that part starts
        List<String> names = List.of("3x3 p1 wide", "3x3 p1 even 12x18", "3x3 p1 OC40 4x4",
                "depthwise k3 s2 odd", "1x1 K in two blocks", "1x1 s2");
        List<Geometry> some = geometries().stream().filter(g -> names.contains(g.name())).toList();
        assertEquals(names.size(), some.size());
        long most = 0;
        for (Geometry g : some) {
            most = Math.max(most, g.conv(new float[g.oc() * g.k()], Epilogue.NONE, VectorSupport.Impl.VECTOR).scratchFloats(2));
        }
        Random r = new Random(3);
        for (Geometry g : some) {
            Epilogue e = Epilogue.of(random(r, g.oc(), 1f), Activation.RELU).withResidual(Activation.RELU6, 0f);
            check(g, VectorSupport.Impl.VECTOR, e, 1, two, true, r, most + 13);
        }
    }

    @Test
    void placesEachThreadsScratchByTheScratchsLengthNotTheKernelsNeed() {
        float[] scratch = new float[1000];
        assertEquals(0, Threads.region(scratch, 2, 0));
        assertEquals(500, Threads.region(scratch, 2, 1));
        assertEquals(333, Threads.region(scratch, 3, 1));
        assertEquals(666, Threads.region(scratch, 3, 2));
    }

    /**
     * An infinity beside a row's end, and NaN at the end of the channel before, reach only the
     * outputs whose windows hold them: a depthwise plane read as one run has them one lane left
     * of the next row's first output and one row above the channel's first.
     */
    @Test
    void depthwiseKeepsAnInfinityFromOutputsWhoseWindowsMissIt() {
        int channels = 3, h = 6, wd = 16, plane = h * wd;
        Random r = new Random(11);
        float[] w = random(r, channels * 9, 0.3f);
        Epilogue e = Epilogue.of(random(r, channels, 1f), Activation.NONE);
        Conv2d c = Conv2d.create(channels, h, wd, channels, 3, 3, 1, 1, 1, 1, 1, 1, channels, w, e);
        float[] x = random(r, c.inputSize(), 1f);
        x[plane - 1] = Float.NaN;
        int inf = plane + 2 * wd + wd - 1;
        x[inf] = Float.POSITIVE_INFINITY;
        float[] y = new float[c.outputSize()];
        c.run(x, y, null, 1, new float[(int) c.scratchFloats(1)], new Parallel(1));
        double[] ref = Reference.conv(channels, h, wd, channels, 3, 3, 1, 1, 1, 1, 1, 1, channels, x, w, e, null, 1);
        int touched = 0;
        for (int i = 0; i < y.length; i++) {
            int ch = i / plane, row = i % plane / wd, col = i % wd;
            boolean inWindow = ch == 0 && row >= h - 2 && col >= wd - 2 || ch == 1 && Math.abs(row - 2) <= 1 && col >= wd - 2;
            if (inWindow) {
                touched++;
                assertFalse(Float.isFinite(y[i]), "output " + i + " holds the infinity or NaN in its window: " + y[i]);
            } else {
                int at = i;
                assertEquals(ref[i], y[i], 1e-4, () -> "output " + at + " (channel " + ch + ", " + row + ", " + col + ")");
            }
        }
        assertEquals(4 + 6, touched);
        assertTrue(c.strategy().contains("one run"), c.strategy());
    }

    /**
     * Outputs well past ±6, so that ReLU6's upper clamp and the unclamped range both show, in the
     * kernels that clamp in registers: the 1×1 tiles that store their own outputs, and depthwise.
     */
    @Test
    void clampsLargeOutputsInTheKernelsThatClampInRegisters() {
        List<String> names = List.of("1x1 many panels", "1x1 OC40 2x4 (rows split)", "depthwise k3 s1 7x7",
                "depthwise k3 s1 two vectors wide", "depthwise k3 s2", "depthwise k3 s2 wide");
        for (Geometry g : geometries()) {
            if (!names.contains(g.name())) continue;
            for (Activation act : List.of(Activation.RELU6, Activation.NONE, Activation.RELU)) {
                Random r = new Random(5);
                int k = g.k();
                float[] w = random(r, g.oc() * k, (float) (1 / Math.sqrt(k)));
                Epilogue e = Epilogue.of(random(r, g.oc(), 1f), act);
                Conv2d c = g.conv(w, e, VectorSupport.Impl.VECTOR);
                float[] x = random(r, c.inputSize(), 20f), y = new float[c.outputSize()];
                c.run(x, y, null, 1, new float[(int) c.scratchFloats(1)], new Parallel(1));
                double[] ref = Reference.conv(g.ic(), g.ih(), g.iw(), g.oc(), g.kh(), g.kw(), g.sh(), g.sw(), g.ph(), g.pw(),
                        g.dh(), g.dw(), g.groups(), x, w, e, null, 1);
                long beyond = java.util.Arrays.stream(ref).filter(v -> Math.abs(v) > 6).count();
                if (act == Activation.NONE) assertTrue(beyond > ref.length / 10, g + ": too few large outputs to test");
                double err = Reference.relativeError(y, ref);
                assertTrue(err <= TOLERANCE, () -> g + " " + act + " (" + c.strategy() + "): relative error " + err);
            }
        }
    }

    /** Runs one convolution against the reference; {@code split} makes even small calls use every thread. */
    static void check(Geometry g, VectorSupport.Impl impl, Epilogue e, int batch, Parallel parallel, boolean split,
                      Random r) {
        check(g, impl, e, batch, parallel, split, r, -1);
    }

    /** As above, on a scratch of {@code scratchFloats} (when not negative) rather than the kernel's own need. */
    static void check(Geometry g, VectorSupport.Impl impl, Epilogue e, int batch, Parallel parallel, boolean split,
                      Random r, long scratchFloats) {
        check(g, (w, ep) -> g.conv(w, ep, impl), impl.toString(), e, batch, parallel, split, r, scratchFloats);
    }

    /** As above, the kernel made by {@code make} from the weights and the epilogue. */
    static void check(Geometry g, BiFunction<float[], Epilogue, Conv2d> make, String impl, Epilogue e, int batch,
                      Parallel parallel, boolean split, Random r, long scratchFloats) {
        int k = g.k();
        float[] w = random(r, g.oc() * k, (float) (1 / Math.sqrt(k)));
        Conv2d c = make.apply(w, e);
        float[] x = random(r, batch * c.inputSize(), 1f);
        float[] res = e.residual() ? random(r, batch * c.outputSize(), 1f) : null;
        float[] y = new float[batch * c.outputSize()];
        java.util.Arrays.fill(y, Float.NaN);
        // scratch starts as garbage: a kernel must not depend on its contents
        float[] scratch = random(r, (int) (scratchFloats < 0 ? c.scratchFloats(parallel.threads()) : scratchFloats), 1e30f);
        Threads.splitEverything = split;
        try {
            c.run(x, y, res, batch, scratch, parallel);
        } finally {
            Threads.splitEverything = false;
        }
        double[] ref = Reference.conv(g.ic(), g.ih(), g.iw(), g.oc(), g.kh(), g.kw(), g.sh(), g.sw(), g.ph(), g.pw(),
                g.dh(), g.dw(), g.groups(), x, w, e, res, batch);
        double err = Reference.relativeError(y, ref);
        assertTrue(err <= TOLERANCE, () -> impl + " " + g + " " + e + " batch " + batch + (split ? " split" : "") + " (" + c.strategy()
                + "): relative error " + err);
    }

    static float[] random(Random r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (r.nextFloat() * 2 - 1) * scale;
        return a;
    }
}
