package org.cnnc.compiler.optimize;

import static org.cnnc.compiler.optimize.Nets.assertWellFormed;
import static org.cnnc.compiler.optimize.Nets.graph;
import static org.cnnc.compiler.optimize.Nets.kinds;
import static org.cnnc.compiler.optimize.Nets.named;
import static org.cnnc.compiler.optimize.Nets.ofKind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.cnnc.compiler.diag.Pos;
import org.cnnc.compiler.ir.Epilogue;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.ir.Shape;
import org.junit.jupiter.api.Test;

class FoldBatchNormTest {
    final FoldBatchNorm pass = new FoldBatchNorm();

    @Test
    void foldsABatchNormIntoTheConvBeforeIt() {
        Graph g = graph("3x6x6", "c: conv(4, k=3, bias=false) -> n: bn(eps=0.001) -> relu");
        Pass.Result r = pass.run(g);
        Graph o = r.graph();
        assertEquals(List.of("input", "conv", "relu"), kinds(o));
        Node c = named(o, "c");
        assertEquals(new Epilogue("n", 0.001, null, false, null), c.epilogue());
        assertEquals(List.of("n"), c.absorbed());
        assertEquals(List.of(0), c.inputs());
        assertEquals(List.of(c.id()), o.outputNode().inputs(), "the relu now reads the conv");
        assertEquals(List.of("n folded into c"), r.changes());
        assertWellFormed(o);
    }

    @Test
    void foldsABatchNormIntoAnFc() {
        Graph o = pass.run(graph("3x2x2", "f: fc(6) -> n: bn -> out: fc(2)")).graph();
        assertEquals(List.of("input", "fc", "fc"), kinds(o));
        assertEquals("n", named(o, "f").epilogue().batchNorm());
        assertEquals(1e-5, named(o, "f").epilogue().eps());
        assertWellFormed(o);
    }

    @Test
    void foldsEveryBatchNormOfAResidualNetworkThatFollowsAConv() {
        Pass.Result r = pass.run(Nets.shaped(Nets.RESIDUAL).graph());
        Graph o = r.graph();
        assertTrue(ofKind(o, "bn").isEmpty(), kinds(o)::toString);
        assertEquals(6, r.changes().size());
        assertEquals("down.1", named(o, "down.0").epilogue().batchNorm());
        assertEquals("b4", named(o, "c4").epilogue().batchNorm());
        assertWellFormed(o);
    }

    @Test
    void keepsABatchNormAfterAnAdd() {
        Graph o = pass.run(graph("4x5x5", "conv(4, k=1) -> add { conv(4, k=1) | identity } -> n: bn -> relu")).graph();
        assertEquals(List.of("input", "conv", "conv", "add", "bn", "relu"), kinds(o));
        assertEquals(List.of(ofKind(o, "add").get(0).id()), named(o, "n").inputs());
        for (Node n : o.nodes()) assertTrue(n.epilogue().isEmpty(), n::toString);
        assertWellFormed(o);
    }

    @Test
    void keepsABatchNormAfterAConcat() {
        Graph o = pass.run(graph("4x5x5", "concat { conv(2, k=1) | conv(3, k=1) } -> bn -> relu")).graph();
        assertEquals(List.of("input", "conv", "conv", "concat", "bn", "relu"), kinds(o));
        assertWellFormed(o);
    }

    @Test
    void keepsABatchNormOnTheInputOrAfterLayersThatAreNotConvOrFc() {
        assertEquals(List.of("input", "bn", "conv"), kinds(pass.run(graph("3x4x4", "bn -> conv(2, k=1)")).graph()));
        assertEquals(List.of("input", "conv", "maxpool", "bn"),
                kinds(pass.run(graph("3x4x4", "conv(2, k=1) -> maxpool -> bn")).graph()));
        assertEquals(List.of("input", "convtranspose", "bn"),
                kinds(pass.run(graph("3x4x4", "convtranspose(2, k=2, s=2) -> bn")).graph()));
        assertEquals(List.of("input", "conv", "relu", "bn"),
                kinds(pass.run(graph("3x4x4", "conv(2, k=1) -> relu -> bn")).graph()));
    }

    @Test
    void keepsABatchNormWhoseConvIsAlsoReadElsewhere() {
        // the conv's own output is still needed by the add, so it cannot become bn's output
        Graph o = pass.run(graph("4x5x5", "c: conv(4, k=1) -> add { n: bn | identity }")).graph();
        assertEquals(List.of("input", "conv", "bn", "add"), kinds(o));
        assertTrue(named(o, "c").epilogue().isEmpty());
        assertWellFormed(o);
    }

    @Test
    void foldsOnlyTheFirstOfTwoBatchNormsInARow() {
        Graph o = pass.run(graph("3x4x4", "c: conv(2, k=1) -> n1: bn -> n2: bn")).graph();
        assertEquals(List.of("input", "conv", "bn"), kinds(o));
        assertEquals("n1", named(o, "c").epilogue().batchNorm());
        assertEquals(List.of(named(o, "c").id()), named(o, "n2").inputs());
        assertWellFormed(o);
    }

    @Test
    void doesNotLookThroughADropoutOnItsOwn() {
        // remove-identity runs first in the optimizer; alone, fold-bn sees a dropout between them
        Graph g = graph("6", "f: fc(4) -> dropout -> n: bn");
        assertEquals(List.of("input", "fc", "dropout", "bn"), kinds(pass.run(g).graph()));
        Graph both = Nets.only(g, "remove-identity", "fold-bn");
        assertEquals(List.of("input", "fc"), kinds(both));
        assertEquals("n", both.outputNode().epilogue().batchNorm());
        assertWellFormed(both);
    }

    @Test
    void doesNotFoldTheBatchNormOfFlattenedFeaturesIntoTheConvBeforeThem() {
        // bn over 4·4·4 = 64 features, not over the conv's 4 channels
        Graph o = Nets.only(graph("1x6x6", "c: conv(4, k=3) -> flatten -> n: bn -> fc(10)"), "remove-identity", "fold-bn");
        assertNull(named(o, "c").epilogue().batchNorm());
        assertEquals(new Shape.Vec(64), named(o, "n").shape());
        assertWellFormed(o);
    }

    @Test
    void neverFoldsIntoTheNetworksOutput() {
        // a graph no source gives: the conv is the output, and a dangling bn reads it
        Pos p = Pos.none("test");
        Shape in = new Shape.Map(2, 3, 3);
        List<Node> nodes = List.of(
                new Node(0, "input", false, new Op.Input(), List.of(), in, p),
                new Node(1, "c", true, new Op.Conv(2, 1, 1, 1, 1, 0, 0, 1, 1, 1, true), List.of(0), in, p),
                new Node(2, "n", true, new Op.BatchNorm(1e-5), List.of(1), in, p));
        Graph g = new Graph("Hand", Map.of(), nodes, 1, List.of());
        Pass.Result r = pass.run(g);
        assertEquals(g, r.graph());
        assertTrue(r.changes().isEmpty());
    }
}
