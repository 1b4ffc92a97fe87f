package org.cnnc.compiler.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.cnnc.compiler.Pipeline;
import org.cnnc.compiler.diag.Pos;
import org.cnnc.compiler.diag.SourceFile;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.ir.Op.ActivationKind;
import org.cnnc.compiler.ir.Op.PoolKind;
import org.cnnc.compiler.ir.Op.UpsampleMode;
import org.cnnc.compiler.ir.Shape;
import org.cnnc.compiler.shape.ShapeError;
import org.cnnc.compiler.shape.ShapeRules;
import org.cnnc.compiler.weights.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Hand-computed cases for every operator, and the identities the reference must satisfy. */
class ReferenceInterpreterTest {
    /** Hand-computed values are exact or nearly so; float32 rounding stays far below this. */
    private static final float EXACT = 1e-5f;

    // ---------------------------------------------------------------- convolution

    @Test
    void convolvesA3x3InputWithA2x2KernelAndAddsTheBias() {
        // input   1 2 3    kernel 1 2    out[0,0] = 1·1 + 2·2 + 4·3 + 5·4 = 37
        //         4 5 6           3 4    out[0,1] = 2·1 + 3·2 + 5·3 + 6·4 = 47
        //         7 8 9                  out[1,0] = 4·1 + 5·2 + 7·3 + 8·4 = 67
        //                                out[1,1] = 5·1 + 6·2 + 8·3 + 9·4 = 77, each + 0.5
        Net net = new Net(map(1, 3, 3)).then(conv(1, 2, 1, 0, 1, 1, true))
                .tensor("weight", 1, 2, 3, 4).tensor("bias", 0.5f);
        assertArrayEquals(new float[] {37.5f, 47.5f, 67.5f, 77.5f}, net.run(1, 2, 3, 4, 5, 6, 7, 8, 9), EXACT);
    }

    @Test
    void convReadsZerosInThePaddingAndSteps() {
        // 3×3 kernel of ones, stride 2, padding 1 on 1..9: each output sums the real cells under
        // its window: rows −1..1 / cols −1..1 hold 1 2 4 5 = 12; cols 1..3 hold 2 3 5 6 = 16;
        // rows 1..3: 4 5 7 8 = 24 and 5 6 8 9 = 28.
        Net net = new Net(map(1, 3, 3)).then(conv(1, 3, 2, 1, 1, 1, false)).tensor("weight", ones(9));
        assertArrayEquals(new float[] {12, 16, 24, 28}, net.run(1, 2, 3, 4, 5, 6, 7, 8, 9), EXACT);
    }

    @Test
    void convSpacesItsTapsByTheDilation() {
        // 2×2 kernel, dilation 2, on 3×3: taps at (0,0) (0,2) (2,0) (2,2): 1·1 + 2·3 + 3·7 + 4·9 = 64
        Net net = new Net(map(1, 3, 3)).then(conv(1, 2, 1, 0, 2, 1, false)).tensor("weight", 1, 2, 3, 4);
        assertArrayEquals(new float[] {64}, net.run(1, 2, 3, 4, 5, 6, 7, 8, 9), EXACT);
    }

    @Test
    void convSumsOverInputChannelsWithWeightLayoutOutInKhKw() {
        // 1×1 conv, weight [[1, 2], [3, −1]]: out0 = x0 + 2·x1, out1 = 3·x0 − x1
        // x0 = (1, 2), x1 = (10, 20): out0 = (21, 42), out1 = (−7, −14)
        Net net = new Net(map(2, 1, 2)).then(conv(2, 1, 1, 0, 1, 1, false)).tensor("weight", 1, 2, 3, -1);
        assertArrayEquals(new float[] {21, 42, -7, -14}, net.run(1, 2, 10, 20), EXACT);
    }

    @Test
    void groupedConvEqualsOneConvPerGroup() {
        // 4 → 6 channels in 2 groups: group g reads input channels 2g, 2g+1 and writes 3g..3g+2,
        // its filters being rows 3g..3g+2 of the weight [6, 2, 3, 3].
        Net whole = new Net(map(4, 5, 5)).then(conv(6, 3, 1, 1, 1, 2, true));
        Weights w = Weights.heInit(whole.graph(), 7);
        float[] x = gaussian(4 * 25, 1);
        float[] out = ReferenceInterpreter.run(whole.graph(), w, x, 1);
        for (int g = 0; g < 2; g++) {
            Net part = new Net(map(2, 5, 5)).then(conv(3, 3, 1, 1, 1, 1, true))
                    .tensor("weight", Arrays.copyOfRange(w.get("1.weight"), g * 54, (g + 1) * 54))
                    .tensor("bias", Arrays.copyOfRange(w.get("1.bias"), g * 3, (g + 1) * 3));
            float[] expected = part.run(Arrays.copyOfRange(x, g * 50, (g + 1) * 50));
            assertArrayEquals(expected, Arrays.copyOfRange(out, g * 75, (g + 1) * 75), 1e-6f, "group " + g);
        }
    }

    // ---------------------------------------------------------------- transposed convolution

    @Test
    void convTransposeScattersEveryInputThroughTheKernel() {
        // 2×2 kernel of ones, stride 1: each input value lands on a 2×2 block; overlaps add up:
        //   1    1+2      2         1  3  2
        //  1+3 1+2+3+4   2+4   =    4 10  6
        //   3    3+4      4         3  7  4
        Net net = new Net(map(1, 2, 2)).then(convT(1, 2, 1, 0, 0, 1, 1, false)).tensor("weight", ones(4));
        assertArrayEquals(new float[] {1, 3, 2, 4, 10, 6, 3, 7, 4}, net.run(1, 2, 3, 4), EXACT);
    }

    @Test
    void convTransposeOutputPaddingAddsRowsThatHoldOnlyTheBias() {
        // kernel 1 2 / 3 4, stride 2, output padding 1: (2 − 1)·2 + 2 + 1 = 5 rows and columns;
        // input v at (y, x) writes v·kernel to rows 2y, 2y+1 and columns 2x, 2x+1; the last row
        // and column receive nothing but the bias 0.5.
        Net net = new Net(map(1, 2, 2)).then(convT(1, 2, 2, 0, 1, 1, 1, true))
                .tensor("weight", 1, 2, 3, 4).tensor("bias", 0.5f);
        float[] expected = {
            1.5f, 2.5f, 2.5f, 4.5f, 0.5f,
            3.5f, 4.5f, 6.5f, 8.5f, 0.5f,
            3.5f, 6.5f, 4.5f, 8.5f, 0.5f,
            9.5f, 12.5f, 12.5f, 16.5f, 0.5f,
            0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
        assertArrayEquals(expected, net.run(1, 2, 3, 4), EXACT);
    }

    @Test
    void convTransposePaddingCropsTheBorderOfTheFullOutput() {
        // 3×3 kernel of ones, stride 2, padding 1: the full 5×5 result (input (y, x) covers rows
        // 2y..2y+2) loses one row and column on each side: rows 1..3 of it are
        //   1  1+2  2 / 1+3 1+2+3+4 2+4 / 3 3+4 4
        Net net = new Net(map(1, 2, 2)).then(convT(1, 3, 2, 1, 0, 1, 1, false)).tensor("weight", ones(9));
        assertArrayEquals(new float[] {1, 3, 2, 4, 10, 6, 3, 7, 4}, net.run(1, 2, 3, 4), EXACT);
    }

    @Test
    void groupedConvTransposeReadsWeightLayoutInOutPerGroupKhKw() {
        // 2 → 4 channels in 2 groups, 1×1 kernel, weight [I = 2, O/g = 2, 1, 1] = 1 2 3 4:
        // input 0 feeds outputs 0, 1 (×1, ×2); input 1 feeds outputs 2, 3 (×3, ×4).
        Net net = new Net(map(2, 1, 1)).then(convT(4, 1, 1, 0, 0, 1, 2, false)).tensor("weight", 1, 2, 3, 4);
        assertArrayEquals(new float[] {10, 20, 300, 400}, net.run(10, 100), EXACT);
    }

    /**
     * ⟨conv(x), y⟩ = ⟨x, convT(y)⟩ when the transposed convolution uses the same weight tensor
     * ([O, I/g, kH, kW] read as [I', O'/g, kH, kW]) and its output padding restores x's size.
     */
    @ParameterizedTest(name = "in {0}×{1}×{2} k {3}×{4} s {5}×{6} p {7}×{8} d {9} g {10} → c {11}, op {12}×{13}")
    @CsvSource({
        // c, h, w, kh, kw, sh, sw, ph, pw, d, groups, outC, opH, opW
        "4, 7, 7, 3, 3, 2, 2, 1, 1, 1, 2, 6, 0, 0",
        "3, 7, 7, 3, 3, 2, 2, 1, 1, 2, 1, 5, 0, 0",
        "2, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1, 3, 1, 1",
        "3, 6, 9, 2, 3, 3, 2, 0, 1, 1, 1, 4, 1, 0",
        "4, 5, 6, 3, 2, 1, 2, 2, 0, 2, 4, 8, 0, 1",
    })
    void convTransposeIsTheAdjointOfConv(int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int d,
                                         int groups, int outC, int opH, int opW) {
        Op.Conv conv = new Op.Conv(outC, kh, kw, sh, sw, ph, pw, d, d, groups, false);
        Net forward = new Net(map(c, h, w)).then(conv);
        Shape.Map yShape = (Shape.Map) forward.graph().outputNode().shape();
        Op.ConvTranspose transposed = new Op.ConvTranspose(c, kh, kw, sh, sw, ph, pw, opH, opW, d, d, groups, false);
        Net backward = new Net(yShape).then(transposed);
        assertEquals(map(c, h, w), backward.graph().outputNode().shape(), "the transposed conv restores x's shape");

        Weights weights = Weights.heInit(forward.graph(), 11);
        backward.tensor("weight", weights.get("1.weight"));
        float[] x = gaussian(c * h * w, 1);
        float[] y = gaussian((int) yShape.elements(), 2);
        double left = dot(ReferenceInterpreter.run(forward.graph(), weights, x, 1), y);
        double right = dot(x, backward.run(y));
        assertEquals(left, right, 1e-4 * Math.max(Math.abs(left), Math.abs(right)),
                "⟨conv(x), y⟩ = " + left + " but ⟨x, convT(y)⟩ = " + right);
    }

    // ---------------------------------------------------------------- normalisation

    @Test
    void batchNormAppliesRunningStatisticsPerChannel() {
        // eps 1, var 3: √(3 + 1) = 2. channel 0: γ 2, β 0.25, mean 1: (2 − 1)/2·2 + 0.25 = 1.25, (0 − 1)/2·2 + 0.25 = −0.75
        // channel 1: γ −1, β 3, mean 5: (5 − 5)/2·(−1) + 3 = 3, (7 − 5)/2·(−1) + 3 = 2
        Net net = new Net(map(2, 1, 2)).then(new Op.BatchNorm(1))
                .tensor("weight", 2, -1).tensor("bias", 0.25f, 3)
                .tensor("running_mean", 1, 5).tensor("running_var", 3, 3);
        assertArrayEquals(new float[] {1.25f, -0.75f, 3, 2}, net.run(2, 0, 5, 7), EXACT);
    }

    @Test
    void lrnWindowOfEvenSizeReachesOneChannelBackAndNoneForward() {
        // size 2: channels c − 1 … c (PyTorch pads size/2 = 1 before, (size − 1)/2 = 0 after).
        // k 1, α 2 (α/n = 1), β 1: b_c = a_c / (1 + Σ a²)
        // c0: 1/(1 + 1) = 1/2; c1: 2/(1 + 1 + 4) = 1/3; c2: 3/(1 + 4 + 9) = 3/14; c3: 4/(1 + 9 + 16) = 4/26
        Net net = new Net(map(4, 1, 1)).then(new Op.Lrn(2, 2, 1, 1));
        assertArrayEquals(new float[] {1 / 2f, 1 / 3f, 3 / 14f, 4 / 26f}, net.run(1, 2, 3, 4), EXACT);
    }

    @Test
    void lrnWindowOfOddSizeIsCentredAndDividesAlphaBySize() {
        // size 3, α 3 (α/n = 1), k 1, β 1: c0: 1/(1 + 1 + 4) = 1/6; c1: 2/(1 + 14) = 2/15;
        // c2: 3/(1 + 4 + 9 + 16) = 1/10; c3: 4/(1 + 9 + 16) = 4/26
        Net net = new Net(map(4, 1, 1)).then(new Op.Lrn(3, 3, 1, 1));
        assertArrayEquals(new float[] {1 / 6f, 2 / 15f, 0.1f, 4 / 26f}, net.run(1, 2, 3, 4), EXACT);
        // β 0.75, k 2, α 6 (α/n = 2): c1 = 2 / (2 + 2·14)^0.75
        Net powered = new Net(map(4, 1, 1)).then(new Op.Lrn(3, 6, 0.75, 2));
        assertEquals(2 / Math.pow(30, 0.75), powered.run(1, 2, 3, 4)[1], EXACT);
    }

    // ---------------------------------------------------------------- element-wise

    @Test
    void reluFamilyClipsAsPyTorch() {
        float[] x = {-2, -0.5f, 0, 3, 7};
        assertArrayEquals(new float[] {0, 0, 0, 3, 7}, activation(ActivationKind.RELU, 0, x), EXACT);
        assertArrayEquals(new float[] {0, 0, 0, 3, 6}, activation(ActivationKind.RELU6, 0, x), EXACT);
        assertArrayEquals(new float[] {-0.2f, -0.05f, 0, 3, 7}, activation(ActivationKind.LEAKY_RELU, 0.1, x), EXACT);
    }

    @Test
    void sigmoidAndTanhTakeTheirTextbookValues() {
        // σ(±ln 3) = 3/4, 1/4; tanh(ln 2) = (2 − 1/2)/(2 + 1/2) = 0.6
        float ln3 = (float) Math.log(3), ln2 = (float) Math.log(2);
        assertArrayEquals(new float[] {0.25f, 0.5f, 0.75f}, activation(ActivationKind.SIGMOID, 0, -ln3, 0, ln3), EXACT);
        assertArrayEquals(new float[] {0.6f, -0.6f, 0}, activation(ActivationKind.TANH, 0, ln2, -ln2, 0), EXACT);
    }

    @Test
    void softmaxOfAVectorNormalisesItsExponentials() {
        // e^0, e^ln2, e^ln5 = 1, 2, 5 of 8; adding 100 to every input changes nothing
        float ln2 = (float) Math.log(2), ln5 = (float) Math.log(5);
        Net net = new Net(new Shape.Vec(3)).then(new Op.Softmax());
        assertArrayEquals(new float[] {0.125f, 0.25f, 0.625f}, net.run(0, ln2, ln5), EXACT);
        assertArrayEquals(new float[] {0.125f, 0.25f, 0.625f}, net.run(100, 100 + ln2, 100 + ln5), EXACT);
    }

    @Test
    void softmaxOfAMapRunsOverTheChannelsAtEachPosition() {
        // 2 channels × 2 positions: position 0 holds (0, ln 3) → (1/4, 3/4); position 1 holds (1, 1) → (1/2, 1/2)
        Net net = new Net(map(2, 1, 2)).then(new Op.Softmax());
        assertArrayEquals(new float[] {0.25f, 0.5f, 0.75f, 0.5f}, net.run(0, 1, (float) Math.log(3), 1), EXACT);
    }

    @Test
    void addSumsItsInputsElementwise() {
        // x + leakyrelu(x, 0.5): (−1 − 0.5, 2 + 2)
        Net net = new Net(new Shape.Vec(2)).then(new Op.Activation(ActivationKind.LEAKY_RELU, 0.5)).then(new Op.Add(), 0, 1);
        assertArrayEquals(new float[] {-1.5f, 4}, net.run(-1, 2), EXACT);
    }

    @Test
    void concatJoinsChannelsSampleBySample() {
        // x (1 channel) then conv1×1 of x with weights (2, −1) (2 channels): per sample x, 2x, −x
        Net net = new Net(map(1, 1, 2)).then(conv(2, 1, 1, 0, 1, 1, false)).tensor("weight", 2, -1)
                .then(new Op.Concat(), 0, 1);
        float[] out = ReferenceInterpreter.run(net.graph(), net.weights(), new float[] {1, 2, 3, 4}, 2);
        assertArrayEquals(new float[] {1, 2, 2, 4, -1, -2, 3, 4, 6, 8, -3, -4}, out, EXACT);
    }

    @Test
    void concatJoinsVectors() {
        Net net = new Net(new Shape.Vec(2)).then(new Op.Fc(1, false)).tensor("weight", 1, 1).then(new Op.Concat(), 0, 1);
        assertArrayEquals(new float[] {2, 5, 7}, net.run(2, 5), EXACT);
    }

    @Test
    void dropoutAndFlattenPassValuesThrough() {
        Net dropout = new Net(new Shape.Vec(3)).then(new Op.Dropout(0.5));
        assertArrayEquals(new float[] {1, -2, 3}, dropout.run(1, -2, 3), 0);
        Net flatten = new Net(map(2, 1, 2)).then(new Op.Flatten());
        assertEquals(new Shape.Vec(4), flatten.graph().outputNode().shape());
        assertArrayEquals(new float[] {1, 2, 3, 4}, flatten.run(1, 2, 3, 4), 0);
    }

    // ---------------------------------------------------------------- dense

    @Test
    void fcOnAMapReadsItsFeaturesInChannelRowColumnOrder() {
        // x = 2 channels × 1 × 2 = (1, 2 | 3, 4); weight rows (1, 10, 100, 1000) and (0, 0, 0, −1)
        // out = (1 + 20 + 300 + 4000 + 0.5, −4 − 1)
        float[] weight = {1, 10, 100, 1000, 0, 0, 0, -1};
        Net direct = new Net(map(2, 1, 2)).then(new Op.Fc(2, true)).tensor("weight", weight).tensor("bias", 0.5f, -1);
        assertArrayEquals(new float[] {4321.5f, -5}, direct.run(1, 2, 3, 4), EXACT);
        Net flattened = new Net(map(2, 1, 2)).then(new Op.Flatten()).then(new Op.Fc(2, true))
                .tensor("weight", weight).tensor("bias", 0.5f, -1);
        assertArrayEquals(new float[] {4321.5f, -5}, flattened.run(1, 2, 3, 4), EXACT);
    }

    // ---------------------------------------------------------------- pooling

    @Test
    void maxPoolTakesTheLargestOfEachWindow() {
        Net net = new Net(map(1, 4, 4)).then(pool(PoolKind.MAX, 2, 2, 0, false, true));
        assertArrayEquals(new float[] {6, 8, 14, 16}, net.run(iota(16)), EXACT);
    }

    @Test
    void maxPoolIgnoresPaddingEvenWhenEveryValueIsNegative() {
        // −1 −2 / −3 −4, 2×2 windows, stride 1, padding 1: padding is −∞, so no window yields 0
        Net net = new Net(map(1, 2, 2)).then(pool(PoolKind.MAX, 2, 1, 1, false, true));
        assertArrayEquals(new float[] {-1, -1, -2, -1, -1, -2, -3, -3, -4}, net.run(-1, -2, -3, -4), EXACT);
    }

    @Test
    void maxPoolInCeilModeKeepsThePartialLastWindow() {
        // 2×2 stride 2 on 3×3 with ceil: windows {1 2 4 5} {3 6} {7 8} {9}
        Net net = new Net(map(1, 3, 3)).then(pool(PoolKind.MAX, 2, 2, 0, true, true));
        assertArrayEquals(new float[] {5, 6, 8, 9}, net.run(iota(9)), EXACT);
    }

    @Test
    void avgPoolInCeilModeDividesAPartialWindowByItsClippedSize() {
        // 2×2 stride 2 on 3×3 with ceil, no padding: a window reaching past the input is clipped to
        // input + padding = the input, so {3 6} / 2 = 4.5, {7 8} / 2 = 7.5, {9} / 1 = 9 (not / 4)
        for (boolean countPad : new boolean[] {true, false}) {
            Net net = new Net(map(1, 3, 3)).then(pool(PoolKind.AVG, 2, 2, 0, true, countPad));
            assertArrayEquals(new float[] {3, 4.5f, 7.5f, 9}, net.run(iota(9)), EXACT, "count_include_pad " + countPad);
        }
    }

    @Test
    void avgPoolCountingPaddingDividesByTheWindowClippedToInputPlusPadding() {
        // 3×3 windows, stride 2, padding 1, ceil, on a 4×4 map of ones: 3 windows per axis, starting at
        // −1, 1, 3 and ending at min(start + 3, 4 + 1) = 2, 4, 5: sizes 3, 3, 2 with padding,
        // real cells 2, 3, 1. Counting padding, each output is (real cells) / (window with padding):
        // per axis 2/3, 3/3, 1/2, and the output is the product of the two axes' factors.
        float third = 1 / 3f;
        Net counting = new Net(map(1, 4, 4)).then(pool(PoolKind.AVG, 3, 2, 1, true, true));
        assertArrayEquals(new float[] {
            4 / 9f, 2 * third, third,
            2 * third, 1, 0.5f,
            third, 0.5f, 0.25f}, counting.run(ones(16)), EXACT);
        Net real = new Net(map(1, 4, 4)).then(pool(PoolKind.AVG, 3, 2, 1, true, false));
        assertArrayEquals(ones(9), real.run(ones(16)), EXACT);
    }

    @Test
    void avgPoolWithoutCountingPaddingDividesByTheRealCells() {
        // 3×3 windows, stride 1, padding 1 on 1..9: corner window holds 1 2 4 5 = 12, edge window
        // 1..6 = 21, centre 45. Counting padding: /9 everywhere; not counting: /4, /6, /9.
        Net counting = new Net(map(1, 3, 3)).then(pool(PoolKind.AVG, 3, 1, 1, false, true));
        float[] withPad = counting.run(iota(9));
        assertEquals(12 / 9f, withPad[0], EXACT);
        assertEquals(21 / 9f, withPad[1], EXACT);
        assertEquals(5, withPad[4], EXACT);
        Net real = new Net(map(1, 3, 3)).then(pool(PoolKind.AVG, 3, 1, 1, false, false));
        float[] withoutPad = real.run(iota(9));
        assertEquals(3, withoutPad[0], EXACT);
        assertEquals(3.5f, withoutPad[1], EXACT);
        assertEquals(5, withoutPad[4], EXACT);
    }

    @Test
    void ceilModeDropsAWindowThatWouldStartInTheRightPadding() {
        // width 4, window 2, stride 3, padding 1, ceil: ceil((4 + 2 − 2)/3) + 1 = 3 windows, but the third
        // would start at 5 ≥ 4 + 1, so there are 2: [−1, 1) → 1/2 and [2, 4) → (3 + 4)/2
        Op.Pool p = new Op.Pool(PoolKind.AVG, 1, 2, 1, 3, 0, 1, true, true);
        Net net = new Net(map(1, 1, 4)).then(p);
        assertEquals(map(1, 1, 2), net.graph().outputNode().shape());
        assertArrayEquals(new float[] {0.5f, 3.5f}, net.run(1, 2, 3, 4), EXACT);
    }

    @Test
    void adaptiveAvgPoolUsesFloorStartAndCeilEnd() {
        // 5 → 3: windows [0, 2), [1, 4), [3, 5): (1 + 2)/2, (2 + 3 + 4)/3, (4 + 5)/2
        Net net = new Net(map(1, 1, 5)).then(new Op.AdaptiveAvgPool(1, 3));
        assertArrayEquals(new float[] {1.5f, 3, 4.5f}, net.run(1, 2, 3, 4, 5), EXACT);
        // 3×3 → 2×2: windows [0, 2) and [1, 3) on both axes, overlapping in the middle
        Net square = new Net(map(1, 3, 3)).then(new Op.AdaptiveAvgPool(2, 2));
        assertArrayEquals(new float[] {3, 4, 6, 7}, square.run(iota(9)), EXACT);
        Net global = new Net(map(2, 3, 3)).then(new Op.AdaptiveAvgPool(1, 1));
        float[] x = new float[18];
        for (int i = 0; i < 18; i++) x[i] = i + 1;
        assertArrayEquals(new float[] {5, 14}, global.run(x), EXACT);
    }

    // ---------------------------------------------------------------- resampling

    @Test
    void nearestUpsamplingRepeatsEachCell() {
        // the example in PyTorch's nn.Upsample documentation
        Net net = new Net(map(1, 2, 2)).then(new Op.Upsample(2, 2, UpsampleMode.NEAREST, false));
        assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, net.run(1, 2, 3, 4), EXACT);
    }

    @Test
    void bilinearUpsamplingMatchesPyTorchsDocumentedExample() {
        // nn.Upsample(scale_factor=2, mode='bilinear') on [[1, 2], [3, 4]] (align_corners=False):
        // src = (dst + 0.5)/2 − 0.5 clamped at 0 → 0, 0.25, 0.75, 1.25 (the last clamped to cell 1)
        Net net = new Net(map(1, 2, 2)).then(new Op.Upsample(2, 2, UpsampleMode.BILINEAR, false));
        assertArrayEquals(new float[] {
            1.00f, 1.25f, 1.75f, 2.00f,
            1.50f, 1.75f, 2.25f, 2.50f,
            2.50f, 2.75f, 3.25f, 3.50f,
            3.00f, 3.25f, 3.75f, 4.00f}, net.run(1, 2, 3, 4), EXACT);
    }

    @Test
    void bilinearUpsamplingWithAlignedCornersMatchesPyTorchsDocumentedExample() {
        // align_corners=True: src = dst·(2 − 1)/(4 − 1) = 0, 1/3, 2/3, 1
        Net net = new Net(map(1, 2, 2)).then(new Op.Upsample(2, 2, UpsampleMode.BILINEAR, true));
        float t = 1 / 3f;
        assertArrayEquals(new float[] {
            1, 1 + t, 1 + 2 * t, 2,
            1 + 2 * t, 2, 2 + t, 2 + 2 * t,
            2 + t, 2 + 2 * t, 3, 3 + t,
            3, 3 + t, 3 + 2 * t, 4}, net.run(1, 2, 3, 4), EXACT);
    }

    @Test
    void bilinearUpsamplingByThreeInterpolatesBetweenNeighbours() {
        // one row 0, 6, scale 3: src = (dst + 0.5)/3 − 0.5 = −1/3→0, 0, 1/3, 2/3, 1, 4/3→cell 1
        Net net = new Net(map(1, 1, 2)).then(new Op.Upsample(1, 3, UpsampleMode.BILINEAR, false));
        assertArrayEquals(new float[] {0, 0, 2, 4, 6, 6}, net.run(0, 6), EXACT);
    }

    // ---------------------------------------------------------------- whole networks

    private static final String LENET5 = """
            network LeNet5 {
              input 1x28x28
              conv(6, k=5, p=2) -> sigmoid -> avgpool(2)
              -> conv(16, k=5) -> sigmoid -> avgpool(2)
              -> flatten -> fc(120) -> sigmoid -> fc(84) -> sigmoid -> fc(10)
            }
            """;

    /** Most operators in one small network, so that batching is checked across all of them. */
    private static final String MIXED = """
            network Mixed {
              input 3x12x12
              conv(8, k=3, p=1) -> bn -> relu
              -> add { conv(8, k=3, p=1, groups=2) -> bn -> relu6 | identity }
              -> concat { maxpool(3, s=2, ceil=true) | avgpool(3, s=2, p=1, count_include_pad=false) }
              -> convtranspose(4, k=3, s=2, p=1, op=1) -> leakyrelu(0.2)
              -> lrn(size=4, alpha=0.01, beta=0.75, k=2) -> upsample(2, mode=bilinear) -> tanh
              -> adaptiveavgpool(5) -> dropout -> fc(10) -> softmax
            }
            """;

    @Test
    void lenet5RunsEndToEndAndTellsInputsApart() {
        Graph graph = graph(LENET5);
        Weights weights = Weights.heInit(graph, 42);
        float[] x = gaussian(2 * 28 * 28, 5);
        float[] out = ReferenceInterpreter.run(graph, weights, x, 2);
        assertEquals(20, out.length);
        for (float v : out) assertTrue(Float.isFinite(v), "finite output, got " + Arrays.toString(out));
        float[] first = Arrays.copyOfRange(out, 0, 10), second = Arrays.copyOfRange(out, 10, 20);
        double difference = 0;
        for (int i = 0; i < 10; i++) difference = Math.max(difference, Math.abs(first[i] - second[i]));
        assertTrue(difference > 1e-4, "two different inputs gave " + Arrays.toString(first) + " and "
                + Arrays.toString(second));
    }

    @Test
    void aBatchOfThreeEqualsThreeRunsOfOne() {
        Graph graph = graph(MIXED);
        Weights weights = Weights.heInit(graph, 3);
        int size = 3 * 12 * 12;
        float[] x = gaussian(3 * size, 9);
        float[] batched = ReferenceInterpreter.run(graph, weights, x, 3);
        assertEquals(30, batched.length);
        for (int n = 0; n < 3; n++) {
            float[] single = ReferenceInterpreter.run(graph, weights, Arrays.copyOfRange(x, n * size, (n + 1) * size), 1);
            assertArrayEquals(single, Arrays.copyOfRange(batched, n * 10, (n + 1) * 10), 0, "sample " + n);
        }
        double total = 0;
        for (int i = 0; i < 10; i++) total += batched[i];
        assertEquals(1, total, 1e-5, "softmax output sums to 1");
    }

    @Test
    void runAllGivesEveryNodesValueForTheBatch() {
        Graph graph = graph(MIXED);
        float[] x = gaussian(2 * 3 * 12 * 12, 4);
        List<float[]> all = ReferenceInterpreter.runAll(graph, Weights.heInit(graph, 3), x, 2);
        assertEquals(graph.nodes().size(), all.size());
        for (Node node : graph.nodes()) {
            assertEquals(2 * node.shape().elements(), all.get(node.id()).length, node.name());
        }
        assertArrayEquals(x, all.get(0), 0);
    }

    @Test
    void rejectsAnInputOfTheWrongLength() {
        Graph graph = graph(LENET5);
        assertThrows(IllegalArgumentException.class,
                () -> ReferenceInterpreter.run(graph, Weights.heInit(graph, 1), new float[28 * 28], 2));
    }

    // ---------------------------------------------------------------- helpers

    private static Graph graph(String text) {
        return Pipeline.elaborate(new SourceFile("test.cnn", text), null, Map.of());
    }

    private static Shape.Map map(int c, int h, int w) {
        return new Shape.Map(c, h, w);
    }

    private static Op.Conv conv(int out, int k, int s, int p, int d, int groups, boolean bias) {
        return new Op.Conv(out, k, k, s, s, p, p, d, d, groups, bias);
    }

    private static Op.ConvTranspose convT(int out, int k, int s, int p, int outPad, int d, int groups, boolean bias) {
        return new Op.ConvTranspose(out, k, k, s, s, p, p, outPad, outPad, d, d, groups, bias);
    }

    private static Op.Pool pool(PoolKind kind, int k, int s, int p, boolean ceil, boolean countIncludePad) {
        return new Op.Pool(kind, k, k, s, s, p, p, ceil, countIncludePad);
    }

    private static float[] activation(ActivationKind kind, double alpha, float... x) {
        return new Net(new Shape.Vec(x.length)).then(new Op.Activation(kind, alpha)).run(x);
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        Arrays.fill(a, 1);
        return a;
    }

    /** 1, 2, ..., n. */
    private static float[] iota(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = i + 1;
        return a;
    }

    private static float[] gaussian(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) random.nextGaussian();
        return a;
    }

    private static double dot(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double sum = 0;
        for (int i = 0; i < a.length; i++) sum += (double) a[i] * b[i];
        return sum;
    }

    /** A hand-built graph: node 0 the input, each further node named by its id ("1.weight"). */
    private static final class Net {
        private static final Pos POS = Pos.none("test");
        private final List<Node> nodes = new ArrayList<>();
        private final Map<String, float[]> tensors = new HashMap<>();

        Net(Shape input) {
            nodes.add(new Node(0, "input", false, new Op.Input(), List.of(), input, POS));
        }

        /** Appends a node reading the given nodes, or the last one. */
        Net then(Op op, Integer... inputs) {
            List<Integer> ins = inputs.length == 0 ? List.of(nodes.size() - 1) : List.of(inputs);
            Shape shape;
            try {
                shape = ShapeRules.output(op, ins.stream().map(i -> nodes.get(i).shape()).toList());
            } catch (ShapeError e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            int id = nodes.size();
            nodes.add(new Node(id, Integer.toString(id), true, op, ins, shape, POS));
            return this;
        }

        /** Sets a tensor of the last node: {@code tensor("weight", ...)} is "id.weight". */
        Net tensor(String kind, float... values) {
            tensors.put((nodes.size() - 1) + "." + kind, values);
            return this;
        }

        Graph graph() {
            return new Graph("test", Map.of(), nodes, nodes.size() - 1, List.of());
        }

        Weights weights() {
            return Weights.of(graph(), tensors);
        }

        float[] run(float... input) {
            return ReferenceInterpreter.run(graph(), weights(), input, 1);
        }
    }
}
