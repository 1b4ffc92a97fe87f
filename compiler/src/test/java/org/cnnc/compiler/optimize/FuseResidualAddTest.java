package org.cnnc.compiler.optimize;

import static org.cnnc.compiler.optimize.Nets.assertWellFormed;
import static org.cnnc.compiler.optimize.Nets.graph;
import static org.cnnc.compiler.optimize.Nets.kinds;
import static org.cnnc.compiler.optimize.Nets.named;
import static org.cnnc.compiler.optimize.Nets.ofKind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

class FuseResidualAddTest {
    final FuseResidualAdd pass = new FuseResidualAdd();

    static String absorbedName(Node add) {
        return "(" + add.name() + ")";
    }

    @Test
    void fusesTheIdentityBlocksAddIntoItsLastConvAfterItsBatchNorm() {
        Graph g = Nets.shaped(Nets.RESIDUAL).graph();
        Node add = ofKind(g, "add").get(0);
        Graph o = Nets.only(g, "fold-bn", "fuse-residual");
        Node c2 = named(o, "c2");
        assertEquals(new Epilogue("b2", 1e-5, null, true, null), c2.epilogue());
        assertEquals(List.of("b2", absorbedName(add)), c2.absorbed());
        Node relu1 = o.node(c2.inputs().get(0)), skip = o.node(c2.inputs().get(1));
        assertEquals(List.of(named(o, "c1").id()), relu1.inputs(), "the conv's own input: the relu after c1");
        assertEquals("relu", skip.op().kind());
        assertEquals(List.of(named(o, "stem").id()), skip.inputs(), "then the skip: the relu after the stem");
        assertTrue(ofKind(o, "add").isEmpty(), kinds(o)::toString);
        assertEquals(ofKind(g, "relu").size(), ofKind(o, "relu").size(), "no activation touched");
        assertWellFormed(o);
    }

    @Test
    void fusesTheProjectionBlocksAddIntoTheLaterConvWhichAddsTheOther() {
        Graph g = Nets.shaped(Nets.RESIDUAL).graph();
        Node add = ofKind(g, "add").get(1);
        Pass.Result r = new FuseResidualAdd().run(Nets.only(g, "fold-bn"));
        Graph o = r.graph();
        assertTrue(ofKind(o, "add").isEmpty(), kinds(o)::toString);
        Node down = named(o, "down.0");
        assertEquals(new Epilogue("down.1", 1e-5, null, true, null), down.epilogue());
        assertEquals(List.of("down.1", absorbedName(add)), down.absorbed());
        assertEquals(named(o, "c4").id(), down.inputs().get(1), "the main branch is the residual operand");
        assertTrue(named(o, "c4").id() < down.id(), "the operand it adds is computed first");
        assertTrue(r.changes().contains(absorbedName(add) + " fused into down.0, which adds c4"), r.changes()::toString);
        assertWellFormed(o);
    }

    @Test
    void fusesAnAddOfTheInputAndAConvWhicheverBranchComesFirst() {
        for (String chain : List.of("add { identity | c: conv(3, k=3, p=1) }", "add { c: conv(3, k=3, p=1) | identity }")) {
            Graph o = pass.run(graph("3x5x5", chain + " -> relu")).graph();
            assertEquals(List.of("input", "conv", "relu"), kinds(o), chain);
            Node c = named(o, "c");
            assertTrue(c.epilogue().residual(), chain);
            assertEquals(List.of(0, 0), c.inputs(), "the conv reads the input and adds it: " + chain);
            assertWellFormed(o);
        }
    }

    @Test
    void keepsAnAddOfAValueToItself() {
        Graph g = graph("3x5x5", "c: conv(3, k=1) -> add { identity | identity } -> relu");
        Pass.Result r = pass.run(g);
        assertEquals(g, r.graph());
        assertTrue(r.changes().isEmpty());
    }

    @Test
    void keepsAnAddOfThreeInputs() {
        Graph g = graph("3x5x5", "add { conv(3, k=1) | conv(3, k=1) | identity }");
        assertEquals(g, pass.run(g).graph());
    }

    @Test
    void keepsAnAddWhoseLaterOperandIsNotAConv() {
        assertEquals(List.of("input", "fc", "add"), kinds(pass.run(graph("8", "add { identity | fc(8) }")).graph()));
        assertEquals(List.of("input", "maxpool", "add"),
                kinds(pass.run(graph("3x5x5", "add { identity | maxpool(3, s=1, p=1) }")).graph()));
        // the conv comes first: fusing it would have it read the relu before the relu runs
        assertEquals(List.of("input", "conv", "conv", "relu", "add"),
                kinds(pass.run(graph("3x5x5", "add { conv(3, k=1) | conv(3, k=1) -> relu }")).graph()));
    }

    @Test
    void ofTwoConvOperandsFusesTheLaterOne() {
        Graph o = pass.run(graph("3x5x5", "add { a: conv(3, k=1) | b: conv(3, k=3, p=1) }")).graph();
        assertEquals(List.of("input", "conv", "conv"), kinds(o));
        assertFalse(named(o, "a").epilogue().residual());
        assertTrue(named(o, "b").epilogue().residual());
        assertEquals(List.of(0, named(o, "a").id()), named(o, "b").inputs());
        assertEquals(named(o, "b").id(), o.output());
        assertWellFormed(o);
    }

    @Test
    void aConvTakesOneResidualOnly() {
        Graph o = pass.run(graph("3x5x5", "add { identity | add { identity | c: conv(3, k=1) } }")).graph();
        assertEquals(List.of("input", "conv", "add"), kinds(o));
        assertEquals(List.of(0, named(o, "c").id()), o.outputNode().inputs());
        assertWellFormed(o);
    }

    @Test
    void keepsTheActivationAlreadyFusedBeforeTheResidual() {
        Graph fused = new FuseActivation().run(graph("3x5x5", "add { identity | [c: conv(3, k=1) -> relu] }")).graph();
        Graph o = pass.run(fused).graph();
        assertEquals(new Epilogue(null, 0, new Op.Activation(Op.ActivationKind.RELU, 0), true, null),
                named(o, "c").epilogue(), "y = relu(conv) + x");
        assertEquals(2, named(o, "c").absorbed().size());
        assertWellFormed(o);
    }

    @Test
    void keepsAnAddThatAppliesAnActivationOfItsOwn() {
        // not an order the optimizer runs, but the add's tanh must not be lost
        Graph fused = new FuseActivation().run(graph("3x5x5", "add { identity | [c: conv(3, k=1) -> relu] } -> tanh")).graph();
        Node add = ofKind(fused, "add").get(0);
        assertEquals("tanh", add.epilogue().act().kind());
        Graph o = pass.run(fused).graph();
        assertEquals(fused, o);
    }

    @Test
    void keepsAnAddWhoseConvIsAlsoReadElsewhere() {
        // input → conv; add(input, conv); concat(add, conv): the conv's value outlives the add
        Pos p = Pos.none("test");
        Shape s = new Shape.Map(2, 3, 3);
        List<Node> nodes = List.of(
                new Node(0, "input", false, new Op.Input(), List.of(), s, p),
                new Node(1, "c", true, new Op.Conv(2, 1, 1, 1, 1, 0, 0, 1, 1, 1, true), List.of(0), s, p),
                new Node(2, "add", false, new Op.Add(), List.of(0, 1), s, p),
                new Node(3, "concat", false, new Op.Concat(), List.of(2, 1), new Shape.Map(4, 3, 3), p));
        Graph g = new Graph("Hand", Map.of(), nodes, 3, List.of());
        assertWellFormed(g);
        assertEquals(g, pass.run(g).graph());
    }
}
