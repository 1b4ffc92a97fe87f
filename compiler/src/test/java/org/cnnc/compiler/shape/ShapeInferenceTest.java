package org.cnnc.compiler.shape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.cnnc.compiler.Pipeline;
import org.cnnc.compiler.diag.Pos;
import org.cnnc.compiler.diag.SourceFile;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.ir.Shape;
import org.junit.jupiter.api.Test;

class ShapeInferenceTest {

    static ShapedGraph shaped(String text) {
        return Pipeline.shaped(new SourceFile("test.cnn", text), null, Map.of());
    }

    static ShapedGraph chain(String input, String chain) {
        return shaped("network A {\n  input " + input + "\n  " + chain + "\n}\n");
    }

    static LayerStats stats(ShapedGraph g, String name) {
        Node node = g.graph().nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
        return g.stats(node);
    }

    // ---- receptive field and jump ----

    @Test
    void receptiveFieldAndJumpOfASmallChainByHand() {
        // r_i = r_{i-1} + (k_i − 1)·j_{i-1}, j_i = j_{i-1}·s_i; a dilated kernel spans d(k − 1) + 1
        ShapedGraph g = chain("1x32x32", "a: conv(4, k=3) -> b: conv(4, k=3, s=2) -> c: maxpool(2)"
                + " -> d: conv(4, k=3, d=2) -> e: conv(4, k=1) -> f: relu -> g: conv(4, k=3, s=2, p=1)");
        double[][] expected = {
            {3, 1},                  // a: 1 + 2·1
            {5, 2},                  // b: 3 + 2·1, j = 1·2
            {7, 4},                  // c: 5 + 1·2, j = 2·2
            {7 + 4 * 4, 4},          // d: span 5, 7 + 4·4 = 23
            {23, 4},                 // e: a 1×1 conv sees no further
            {23, 4},                 // f: nor does an activation
            {23 + 2 * 4, 8},         // g: 23 + 2·4 = 31, j = 4·2
        };
        String[] names = {"a", "b", "c", "d", "e", "f", "g"};
        for (int i = 0; i < names.length; i++) {
            LayerStats s = stats(g, names[i]);
            assertEquals(expected[i][0], s.receptiveField(), 1e-9, "receptive field of " + names[i]);
            assertEquals(expected[i][1], s.jump(), 1e-9, "jump of " + names[i]);
        }
        LayerStats input = g.stats(g.graph().input());
        assertEquals(1, input.receptiveField());
        assertEquals(1, input.jump());
    }

    @Test
    void receptiveFieldOfBranchesIsTheWidestBranch() {
        ShapedGraph g = chain("1x16x16", "conv(4, k=3, p=1) -> x: add { conv(4, k=5, p=2) | identity } -> y: relu");
        assertEquals(3 + 4, stats(g, "y").receptiveField(), 1e-9);
    }

    @Test
    void aLayerOverAWholeMapSeesAllOfIt() {
        ShapedGraph g = chain("1x8x8", "conv(2, k=3) -> maxpool(2) -> f: flatten -> o: fc(10)");
        // conv: r = 3, j = 1; pool: r = 4, j = 2 on a 3×3 map; flatten reaches its far corner: 4 + (3 − 1)·2
        assertEquals(8, stats(g, "f").receptiveField(), 1e-9);
        assertEquals(8, stats(g, "o").receptiveField(), 1e-9);
    }

    // ---- parameters and MACs ----

    @Test
    void convParametersAndMacs() {
        ShapedGraph g = chain("3x8x8", "c: conv(8, k=3, p=1)");
        LayerStats s = stats(g, "c");
        assertEquals(8 * 3 * 3 * 3 + 8, s.params(), "weights O·I·kH·kW plus one bias per output channel");
        assertEquals(8L * 8 * 8 * (3 * 3 * 3), s.macs(), "every output element: I·kH·kW multiply-accumulates");
        assertEquals(2 * s.macs(), s.flops());
        assertEquals(0, s.buffers());
        assertEquals(8 * 8 * 8, s.outputElements());
    }

    @Test
    void groupedConvParametersAndMacs() {
        ShapedGraph g = chain("8x8x8", "c: conv(16, k=3, p=1, groups=4, bias=false)");
        LayerStats s = stats(g, "c");
        assertEquals(16 * (8 / 4) * 3 * 3, s.params());
        assertEquals(16L * 8 * 8 * (8 / 4) * 3 * 3, s.macs());
    }

    @Test
    void depthwiseConvParametersAndMacs() {
        ShapedGraph g = chain("32x14x14", "c: dwconv(k=3, s=2, p=1, bias=false) -> m: dwconv(k=5, p=2, multiplier=2)");
        LayerStats c = stats(g, "c");
        assertEquals(32 * 3 * 3, c.params());
        assertEquals(32L * 7 * 7 * 3 * 3, c.macs());
        LayerStats m = stats(g, "m");
        assertEquals(64 * 5 * 5 + 64, m.params(), "two filters per input channel, each with a bias");
        assertEquals(64L * 7 * 7 * 5 * 5, m.macs());
    }

    @Test
    void transposedConvParametersAndMacs() {
        ShapedGraph g = chain("4x4x4", "t: convtranspose(2, k=3, s=2, p=1, op=1)");
        LayerStats t = stats(g, "t");
        assertEquals(List.of(2, 8, 8), g.graph().outputNode().shape().dims());
        assertEquals(4 * 2 * 3 * 3 + 2, t.params(), "weight [I, O/g, kH, kW] plus bias");
        assertEquals(4L * 4 * 4 * 2 * 3 * 3, t.macs(), "every input element scatters into O·kH·kW outputs");
    }

    @Test
    void fcParametersAndMacs() {
        ShapedGraph g = chain("16x4x4", "f: fc(10) -> h: fc(5, bias=false)");
        assertEquals(256 * 10 + 10, stats(g, "f").params(), "fc on a map takes its 16·4·4 features");
        assertEquals(256 * 10, stats(g, "f").macs());
        assertEquals(10 * 5, stats(g, "h").params());
        assertEquals(10 * 5, stats(g, "h").macs());
    }

    @Test
    void batchNormHasTwoParametersAndTwoBuffersPerChannelAndNoMacs() {
        ShapedGraph g = chain("24x4x4", "b: bn -> r: relu -> p: maxpool -> d: dropout");
        LayerStats b = stats(g, "b");
        assertEquals(48, b.params());
        assertEquals(48, b.buffers());
        assertEquals(0, b.macs());
        for (String name : List.of("r", "p", "d")) {
            assertEquals(0, stats(g, name).params(), name);
            assertEquals(0, stats(g, name).macs(), name);
        }
    }

    @Test
    void lenet5TotalsMatchDiveIntoDeepLearning() {
        ShapedGraph g = shaped("""
                network LeNet5 {
                  input 1x28x28
                  conv(6, k=5, p=2) -> sigmoid -> avgpool(2)
                  -> conv(16, k=5) -> sigmoid -> avgpool(2)
                  -> flatten -> fc(120) -> sigmoid -> fc(84) -> sigmoid -> fc(10)
                }
                """);
        assertEquals(156 + 2_416 + 48_120 + 10_164 + 850, g.totalParams());
        assertEquals(61_706, g.totalParams());
        assertEquals(6L * 28 * 28 * 25 + 16L * 10 * 10 * 150 + 400 * 120 + 120 * 84 + 84 * 10, g.totalMacs());
        assertEquals(4L * 61_706, g.weightBytes(), "no batch norm: the weights are the parameters");
        assertEquals(4L * 28 * 28, g.inputBytes());
        // every output but the input's: conv and sigmoid 6×28×28, pool 6×14×14, conv and sigmoid 16×10×10, pool and flatten 400, ...
        long activations = 2 * 6 * 28 * 28 + 6 * 14 * 14 + 2 * 16 * 10 * 10 + 16 * 5 * 5 + 400 + 2 * 120 + 2 * 84 + 10;
        assertEquals(4L * activations, g.activationBytes());
    }

    @Test
    void weightBytesIncludeBatchNormStatistics() {
        ShapedGraph g = chain("3x4x4", "conv(8, k=1, bias=false) -> bn");
        assertEquals(24 + 16, g.totalParams());
        assertEquals(4L * (24 + 16 + 16), g.weightBytes());
    }

    @Test
    void rejectsAGraphWhoseShapeDisagreesWithItsRule() {
        Pos pos = Pos.none("hand-made");
        Graph bad = new Graph("Bad", Map.of(), List.of(
                new Node(0, "input", false, new Op.Input(), List.of(), new Shape.Map(3, 8, 8), pos),
                new Node(1, "0", true, new Op.Conv(4, 3, 3, 1, 1, 0, 0, 1, 1, 1, true), List.of(0), new Shape.Map(4, 8, 8), pos)),
                1, List.of());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ShapeInference.infer(bad));
        assertEquals("node 0 has shape 4×8×8 but its rule gives 4×6×6", e.getMessage());
    }
}
