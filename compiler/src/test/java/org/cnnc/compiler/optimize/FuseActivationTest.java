package org.cnnc.compiler.optimize;

import static org.cnnc.compiler.optimize.Nets.assertWellFormed;
import static org.cnnc.compiler.optimize.Nets.graph;
import static org.cnnc.compiler.optimize.Nets.kinds;
import static org.cnnc.compiler.optimize.Nets.named;
import static org.cnnc.compiler.optimize.Nets.ofKind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cnnc.compiler.ir.Epilogue;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.junit.jupiter.api.Test;

class FuseActivationTest {
    static final Op.Activation RELU = new Op.Activation(Op.ActivationKind.RELU, 0);

    final FuseActivation pass = new FuseActivation();

    @Test
    void fusesEachKindOfActivationIntoAConv() {
        for (String act : List.of("relu", "relu6", "leakyrelu(0.2)", "sigmoid", "tanh")) {
            Graph g = graph("3x4x4", "c: conv(2, k=1) -> a: " + act + " -> maxpool");
            Op.Activation a = (Op.Activation) named(g, "a").op();
            Pass.Result r = pass.run(g);
            Graph o = r.graph();
            assertEquals(List.of("input", "conv", "maxpool"), kinds(o), act);
            assertEquals(Epilogue.NONE.withAct(a), named(o, "c").epilogue(), act);
            assertEquals(List.of("a"), named(o, "c").absorbed());
            assertEquals(List.of("a (" + a.kind() + ") fused into c"), r.changes());
            assertWellFormed(o);
        }
        Graph leaky = pass.run(graph("3x4x4", "c: conv(2, k=1) -> leakyrelu(0.2)")).graph();
        assertEquals(0.2, named(leaky, "c").epilogue().act().alpha(), 1e-12, "the slope goes with it");
    }

    @Test
    void fusesIntoAnFc() {
        Graph o = pass.run(graph("6", "f: fc(4) -> relu -> g: fc(2) -> sigmoid")).graph();
        assertEquals(List.of("input", "fc", "fc"), kinds(o));
        assertEquals(RELU, named(o, "f").epilogue().act());
        assertEquals("sigmoid", named(o, "g").epilogue().act().kind());
        assertEquals(named(o, "g").id(), o.output(), "the fc now produces the network's output");
        assertWellFormed(o);
    }

    @Test
    void fusesIntoAStandaloneBatchNorm() {
        Graph o = pass.run(graph("3x4x4", "n: bn -> relu -> conv(2, k=1)")).graph();
        assertEquals(List.of("input", "bn", "conv"), kinds(o));
        assertEquals(Epilogue.NONE.withAct(RELU), named(o, "n").epilogue());
        assertWellFormed(o);
    }

    @Test
    void fusesIntoAnAddThatStayedAnAdd() {
        Graph o = pass.run(graph("3x4x4", "add { identity | maxpool(3, s=1, p=1) | conv(3, k=1) } -> relu")).graph();
        assertEquals(List.of("input", "maxpool", "conv", "add"), kinds(o));
        Node add = o.outputNode();
        assertEquals(Epilogue.NONE.withAct(RELU), add.epilogue(), "an add's relu is applied to the sum");
        assertEquals(3, add.inputs().size());
        assertWellFormed(o);
    }

    @Test
    void anActivationAfterAFusedResidualGoesAfterTheSum() {
        Graph g = Nets.shaped(Nets.RESIDUAL).graph();
        Node add = ofKind(g, "add").get(0);
        Graph o = Nets.only(g, "fold-bn", "fuse-residual", "fuse-activation");
        Node c1 = named(o, "c1"), c2 = named(o, "c2");
        assertEquals(new Epilogue("b1", 1e-5, RELU, false, null), c1.epilogue());
        assertEquals(new Epilogue("b2", 1e-5, null, true, RELU), c2.epilogue(), "relu(bn(conv) + x)");
        Node relu = g.node(add.id() + 1);
        assertEquals("relu", relu.op().kind());
        assertEquals(List.of("b2", "(" + add.name() + ")", relu.name()), c2.absorbed(), "in the order they were fused");
        assertWellFormed(o);
    }

    @Test
    void theNextActivationGoesBeforeTheResidualUntilThereIsOneThenAfterIt() {
        Op.Activation tanh = new Op.Activation(Op.ActivationKind.TANH, 0);
        Epilogue e = Epilogue.NONE.withBatchNorm("n", 1e-5);
        assertTrue(e.canTakeActivation());
        e = e.withActivation(RELU);
        assertEquals(RELU, e.act());
        assertFalse(e.canTakeActivation(), "one activation before the residual");
        e = e.withResidual();
        assertTrue(e.canTakeActivation());
        e = e.withActivation(tanh);
        assertEquals(RELU, e.act());
        assertEquals(tanh, e.after());
        assertFalse(e.canTakeActivation());
        assertEquals(" + bn + relu + add + tanh", e.toString(), "tanh(relu(bn(conv)) + x)");
    }

    @Test
    void keepsTheSecondOfTwoActivationsInARow() {
        Graph o = pass.run(graph("3x4x4", "c: conv(2, k=1) -> relu -> s: sigmoid")).graph();
        assertEquals(List.of("input", "conv", "sigmoid"), kinds(o));
        assertEquals(RELU, named(o, "c").epilogue().act());
        assertNull(named(o, "c").epilogue().after());
        assertWellFormed(o);
    }

    @Test
    void keepsAnActivationAfterAConcat() {
        Graph o = pass.run(graph("3x4x4", "concat { conv(2, k=1) | conv(2, k=1) } -> relu")).graph();
        assertEquals(List.of("input", "conv", "conv", "concat", "relu"), kinds(o));
        for (Node n : o.nodes()) assertTrue(n.epilogue().isEmpty(), n::toString);
    }

    @Test
    void keepsActivationsAfterLayersWithoutAnEpilogue() {
        for (String chain : List.of("relu", "maxpool -> relu", "convtranspose(2, k=2, s=2) -> relu", "upsample -> relu",
                "globalavgpool -> relu", "conv(2, k=1) -> softmax -> relu", "dropout -> relu")) {
            Graph g = graph("3x4x4", chain);
            assertEquals(g, pass.run(g).graph(), chain);
        }
    }

    @Test
    void softmaxIsNotAnEpilogue() {
        Graph g = graph("6", "fc(4) -> softmax");
        assertEquals(g, pass.run(g).graph());
    }

    @Test
    void keepsAnActivationWhoseProducerIsAlsoReadElsewhere() {
        Graph o = pass.run(graph("3x4x4", "c: conv(3, k=1) -> add { relu | identity }")).graph();
        assertEquals(List.of("input", "conv", "relu", "add"), kinds(o));
        assertTrue(named(o, "c").epilogue().isEmpty());
        assertWellFormed(o);
    }
}
