package org.cnnc.compiler.shape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.ir.Op.PoolKind;
import org.cnnc.compiler.ir.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShapeRulesTest {

    static Shape out(Op op, Shape... inputs) throws ShapeError {
        return ShapeRules.output(op, List.of(inputs));
    }

    static Op.Conv conv(int c, int k, int s, int p, int d, int groups) {
        return new Op.Conv(c, k, k, s, s, p, p, d, d, groups, true);
    }

    static Op.Pool maxpool(int k, int s, int p, boolean ceil) {
        return new Op.Pool(PoolKind.MAX, k, k, s, s, p, p, ceil, false);
    }

    /**
     * PyTorch's Conv2d documentation: H_out = floor((H_in + 2·padding − dilation·(kernel − 1) − 1)/stride + 1),
     * here with the expected sizes worked out by hand.
     */
    @ParameterizedTest(name = "n={0} k={1} s={2} p={3} d={4} -> {5}")
    @CsvSource({
        "32, 5, 1, 0, 1, 28",    // LeNet: (32 − 5)/1 + 1
        "28, 5, 1, 2, 1, 28",    // padded to keep the size
        "224, 7, 2, 3, 1, 112",  // ResNet stem: floor(223/2) + 1
        "224, 11, 4, 2, 1, 55",  // AlexNet: floor(217/4) + 1
        "227, 11, 4, 0, 1, 55",  // AlexNet on 227: 216/4 + 1
        "56, 3, 2, 1, 1, 28",    // floor(55/2) + 1
        "7, 3, 1, 0, 2, 3",      // dilated span 5: 7 − 5 + 1
        "9, 3, 2, 2, 2, 5",      // floor((9 + 4 − 4 − 1)/2) + 1
        "5, 5, 1, 0, 1, 1",      // exactly fits
        "1, 3, 1, 1, 1, 1",      // 3×3 same on a 1×1 map
        "8, 1, 3, 0, 1, 3",      // floor(7/3) + 1
    })
    void convOutputFollowsPyTorchsFormula(int n, int k, int s, int p, int d, int expected) throws ShapeError {
        assertEquals(expected, ShapeRules.slide(n, k, s, p, d, false));
        assertEquals(new Shape.Map(16, expected, expected), out(conv(16, k, s, p, d, 1), new Shape.Map(3, n, n)));
    }

    @Test
    void convWithDifferentHeightAndWidthParametersTreatsEachAxisApart() throws ShapeError {
        Op.Conv c = new Op.Conv(4, 1, 7, 1, 2, 0, 3, 1, 1, 1, false);
        assertEquals(new Shape.Map(4, 10, 8), out(c, new Shape.Map(2, 10, 16)));
    }

    /**
     * PyTorch's MaxPool2d: H_out = floor or ceil((H_in + 2·padding − dilation·(kernel − 1) − 1)/stride) + 1; in ceil
     * mode a last window that would start in the right padding (or past the input) is dropped.
     */
    @ParameterizedTest(name = "n={0} k={1} s={2} p={3} ceil={4} -> {5}")
    @CsvSource({
        "32, 2, 2, 0, false, 16",
        "32, 2, 2, 0, true, 16",    // exact: no rounding
        "7, 2, 2, 0, false, 3",     // floor(5/2) + 1
        "7, 2, 2, 0, true, 4",      // ceil(5/2) + 1: the last window starts at 6, inside the input
        "112, 3, 2, 1, false, 56",  // ResNet's max pool: floor(111/2) + 1
        "6, 3, 2, 0, true, 3",      // GoogLeNet-style: ceil(3/2) + 1
        "6, 3, 2, 0, false, 2",
        "4, 3, 2, 1, true, 3",      // windows start at −1, 1, 3: each inside the left padding or the input
        "4, 3, 2, 1, false, 2",
        "5, 2, 2, 1, true, 3",      // ceil(5/2) + 1 = 4, but the 4th window would start at 5, in the right padding
        "5, 2, 2, 1, false, 3",
        "3, 2, 2, 1, true, 2",      // ceil(3/2) + 1 = 3, but the 3rd window would start at 3, in the right padding
        "6, 2, 4, 1, true, 2",      // ceil(6/4) + 1 = 3, but the 3rd window would start at 7
        "10, 3, 4, 0, true, 3",     // ceil(7/4) + 1 = 3: the 3rd window starts at 8, inside the input
        "10, 3, 4, 0, false, 2",
        "3, 3, 3, 1, true, 2",      // ceil(2/3) + 1 = 2: the 2nd window starts at 2, inside the input
        "1, 2, 2, 0, true, 1",      // one partial window over a 1×1 map, as PyTorch gives
        "1, 2, 2, 0, false, 0",     // ... which floor mode does not allow
    })
    void poolOutputFollowsPyTorchsFormulaIncludingCeilMode(int n, int k, int s, int p, boolean ceil, int expected)
            throws ShapeError {
        assertEquals(expected, ShapeRules.slide(n, k, s, p, 1, ceil));
        if (expected == 0) {
            assertThrows(ShapeError.class, () -> out(maxpool(k, s, p, ceil), new Shape.Map(5, n, n)));
        } else {
            assertEquals(new Shape.Map(5, expected, expected), out(maxpool(k, s, p, ceil), new Shape.Map(5, n, n)));
        }
    }

    /**
     * PyTorch computes a pooling output size (pooling_output_shape in its ATen sources) as
     * floor((n + 2p − d(k − 1) − 1 + (ceil ? s − 1 : 0)) / s) + 1, minus one where ceil mode would start the
     * last window at or past n + p. Written here that way, independently of ShapeRules, over every small case.
     */
    static long pytorchPoolingOutputSize(long n, long k, long s, long p, long d, boolean ceil) {
        long out = Math.floorDiv(n + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0), s) + 1;
        if (ceil && (out - 1) * s >= n + p) out--;
        return out;
    }

    @Test
    void agreesWithPyTorchsOutputSizeOverEverySmallCase() {
        int checked = 0;
        for (int n = 1; n <= 20; n++)
            for (int k = 1; k <= 7; k++)
                for (int s = 1; s <= 4; s++)
                    for (int d = 1; d <= 3; d++)
                        for (int p = 0; p <= k / 2; p++)
                            for (boolean ceil : new boolean[] {false, true}) {
                                long expected = pytorchPoolingOutputSize(n, k, s, p, d, ceil);
                                int actual = ShapeRules.slide(n, k, s, p, d, ceil);
                                String c = "n=" + n + " k=" + k + " s=" + s + " p=" + p + " d=" + d + " ceil=" + ceil;
                                if (expected >= 1) {
                                    assertEquals(expected, actual, c);
                                    checked++;
                                } else {
                                    assertTrue(actual < 1, c + " must not fit, but gives " + actual);
                                }
                            }
        assertTrue(checked > 5_000, "cases where the window fits: " + checked);
    }

    /** PyTorch's ConvTranspose2d: H_out = (H_in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1. */
    @ParameterizedTest(name = "n={0} k={1} s={2} p={3} op={4} d={5} -> {6}")
    @CsvSource({
        "7, 4, 2, 1, 0, 1, 14",   // the usual ×2 upsampling: 12 − 2 + 3 + 1
        "7, 3, 2, 1, 1, 1, 14",   // 12 − 2 + 2 + 1 + 1
        "7, 3, 2, 1, 0, 1, 13",
        "4, 3, 1, 0, 0, 1, 6",    // the inverse of a valid 3×3 conv
        "4, 3, 1, 0, 0, 2, 8",    // 3 + 4 + 1
        "1, 4, 1, 0, 0, 1, 4",    // DCGAN's first layer: 1×1 to 4×4
    })
    void transposedConvFollowsPyTorchsFormula(int n, int k, int s, int p, int op, int d, int expected) throws ShapeError {
        Op.ConvTranspose t = new Op.ConvTranspose(6, k, k, s, s, p, p, op, op, d, d, 1, true);
        assertEquals(new Shape.Map(6, expected, expected), out(t, new Shape.Map(3, n, n)));
    }

    @Test
    void transposedConvRejectsOutputPaddingNotBelowStrideOrDilation() {
        Op.ConvTranspose t = new Op.ConvTranspose(6, 3, 3, 2, 2, 1, 1, 2, 2, 1, 1, 1, true);
        ShapeError e = assertThrows(ShapeError.class, () -> out(t, new Shape.Map(3, 4, 4)));
        assertTrue(e.getMessage().contains("output padding must be smaller than the stride or the dilation"), e.getMessage());
    }

    @Test
    void transposedConvRejectsANonPositiveOutput() {
        Op.ConvTranspose t = new Op.ConvTranspose(6, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, true);
        ShapeError e = assertThrows(ShapeError.class, () -> out(t, new Shape.Map(3, 1, 1)));
        assertTrue(e.getMessage().contains("leaves a -1×-1 output from a 1×1 input"), e.getMessage());
    }

    @Test
    void convThatDoesNotFitNamesTheNumbers() {
        ShapeError e = assertThrows(ShapeError.class, () -> out(conv(8, 5, 1, 0, 1, 1), new Shape.Map(3, 4, 4)));
        assertEquals("conv k=5 does not fit a 4×4 input with p=0", e.getMessage());
        ShapeError dilated = assertThrows(ShapeError.class, () -> out(conv(8, 3, 1, 0, 3, 1), new Shape.Map(3, 6, 6)));
        assertEquals("conv k=3 dilation=3 does not fit a 6×6 input with p=0", dilated.getMessage());
    }

    @Test
    void groupsMustDivideBothChannelCounts() throws ShapeError {
        assertEquals(new Shape.Map(16, 8, 8), out(conv(16, 3, 1, 1, 1, 4), new Shape.Map(8, 8, 8)));
        ShapeError in = assertThrows(ShapeError.class, () -> out(conv(16, 3, 1, 1, 1, 3), new Shape.Map(8, 8, 8)));
        assertEquals("conv groups=3 does not divide the 8 input channels", in.getMessage());
        ShapeError outCh = assertThrows(ShapeError.class, () -> out(conv(6, 3, 1, 1, 1, 4), new Shape.Map(8, 8, 8)));
        assertEquals("conv groups=4 does not divide the 6 output channels", outCh.getMessage());
    }

    @Test
    void poolPaddingMayBeAtMostHalfTheWindow() throws ShapeError {
        assertEquals(new Shape.Map(2, 4, 4), out(maxpool(2, 2, 1, false), new Shape.Map(2, 6, 6)));
        ShapeError e = assertThrows(ShapeError.class, () -> out(maxpool(3, 2, 2, false), new Shape.Map(2, 8, 8)));
        assertEquals("maxpool padding p=2 is more than half the 3×3 window", e.getMessage());
    }

    @Test
    void poolThatDoesNotFit() {
        ShapeError e = assertThrows(ShapeError.class, () -> out(maxpool(2, 2, 0, false), new Shape.Map(2, 1, 1)));
        assertEquals("maxpool 2×2 does not fit a 1×1 input with p=0", e.getMessage());
    }

    @Test
    void shapePreservingLayers() throws ShapeError {
        Shape m = new Shape.Map(3, 5, 7);
        assertEquals(m, out(new Op.BatchNorm(1e-5), m));
        assertEquals(m, out(new Op.Activation(Op.ActivationKind.RELU, 0), m));
        assertEquals(m, out(new Op.Softmax(), m));
        assertEquals(m, out(new Op.Dropout(0.5), m));
        assertEquals(m, out(new Op.Lrn(5, 1e-4, 0.75, 1), m));
        Shape v = new Shape.Vec(10);
        assertEquals(v, out(new Op.Activation(Op.ActivationKind.SIGMOID, 0), v));
        assertEquals(v, out(new Op.Softmax(), v));
    }

    @Test
    void flattenAndFcTurnAMapIntoFeatures() throws ShapeError {
        Shape m = new Shape.Map(16, 5, 5);
        assertEquals(new Shape.Vec(400), out(new Op.Flatten(), m));
        assertEquals(new Shape.Vec(120), out(new Op.Fc(120, true), m));
        assertEquals(new Shape.Vec(84), out(new Op.Fc(84, true), new Shape.Vec(120)));
    }

    @Test
    void adaptivePoolAndUpsample() throws ShapeError {
        Shape m = new Shape.Map(512, 13, 9);
        assertEquals(new Shape.Map(512, 1, 1), out(new Op.AdaptiveAvgPool(1, 1), m));
        assertEquals(new Shape.Map(512, 6, 7), out(new Op.AdaptiveAvgPool(6, 7), m));
        assertEquals(new Shape.Map(512, 26, 27),
                out(new Op.Upsample(2, 3, Op.UpsampleMode.BILINEAR, false), m));
    }

    @Test
    void mapLayersRejectAVector() {
        ShapeError e = assertThrows(ShapeError.class, () -> out(maxpool(2, 2, 0, false), new Shape.Vec(10)));
        assertEquals("maxpool needs a C×H×W input, but gets a vector of 10 features", e.getMessage());
    }

    @Test
    void addNeedsEqualShapes() throws ShapeError {
        Shape a = new Shape.Map(8, 4, 4);
        assertEquals(a, out(new Op.Add(), a, a, a));
        ShapeError e = assertThrows(ShapeError.class, () -> out(new Op.Add(), a, a, new Shape.Map(8, 2, 2)));
        assertEquals("add needs equal shapes, but branch 1 gives 8×4×4 and branch 3 gives 8×2×2", e.getMessage());
    }

    @Test
    void concatSumsChannelsOfEqualHeightAndWidth() throws ShapeError {
        assertEquals(new Shape.Map(64 + 128 + 32 + 32, 28, 28), out(new Op.Concat(),
                new Shape.Map(64, 28, 28), new Shape.Map(128, 28, 28), new Shape.Map(32, 28, 28), new Shape.Map(32, 28, 28)));
        assertEquals(new Shape.Vec(7), out(new Op.Concat(), new Shape.Vec(3), new Shape.Vec(4)));
        ShapeError e = assertThrows(ShapeError.class,
                () -> out(new Op.Concat(), new Shape.Map(4, 8, 8), new Shape.Map(4, 8, 7)));
        assertEquals("concat needs equal H×W in every branch, but branch 1 gives 4×8×8 and branch 2 gives 4×8×7", e.getMessage());
        assertThrows(ShapeError.class, () -> out(new Op.Concat(), new Shape.Map(4, 1, 1), new Shape.Vec(4)));
    }

    @Test
    void dimensionsPastTheIntRangeAreErrors() {
        ShapeError e = assertThrows(ShapeError.class,
                () -> out(new Op.Upsample(1 << 20, 1 << 20, Op.UpsampleMode.NEAREST, false), new Shape.Map(1, 4096, 4096)));
        assertTrue(e.getMessage().contains("is too large"), e.getMessage());
    }
}
