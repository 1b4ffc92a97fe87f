package org.cnnc.compiler.optimize;

import static org.cnnc.compiler.optimize.Nets.assertWellFormed;
import static org.cnnc.compiler.optimize.Nets.graph;
import static org.cnnc.compiler.optimize.Nets.kinds;
import static org.cnnc.compiler.optimize.Nets.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.junit.jupiter.api.Test;

class RemoveIdentitiesTest {
    final RemoveIdentities pass = new RemoveIdentities();

    @Test
    void dropsDropoutAndFlattenBeforeAnFc() {
        Graph g = graph("3x4x4", "c: conv(2, k=1) -> flatten -> dropout -> f: fc(5) -> dropout(0.2) -> out: fc(3)");
        Pass.Result r = pass.run(g);
        Graph o = r.graph();
        assertEquals(List.of("input", "conv", "fc", "fc"), kinds(o));
        assertEquals(List.of(named(o, "c").id()), named(o, "f").inputs(), "the fc reads the conv's map directly");
        assertEquals(List.of(named(o, "f").id()), named(o, "out").inputs());
        assertEquals(named(o, "out").id(), o.output());
        assertEquals(3, r.changes().size(), r.changes()::toString);
        assertTrue(r.changes().contains("1 (flatten) removed"), r.changes()::toString);
        assertTrue(r.changes().contains("2 (dropout) removed"), r.changes()::toString);
        assertWellFormed(o);
    }

    @Test
    void removingChangesNoEpilogueAndAbsorbsNothing() {
        Graph o = pass.run(graph("8", "f: fc(4) -> dropout -> g: fc(2)")).graph();
        for (Node n : o.nodes()) {
            assertTrue(n.epilogue().isEmpty(), n::toString);
            assertTrue(n.absorbed().isEmpty(), n::toString);
        }
    }

    @Test
    void keepsTheOutputNodeEvenWhenItIsAnIdentity() {
        Graph g = graph("3x4x4", "conv(2, k=1) -> flatten -> fc(6) -> dropout");
        Pass.Result r = pass.run(g);
        assertEquals(List.of("input", "conv", "fc", "dropout"), kinds(r.graph()));
        assertEquals("dropout", r.graph().outputNode().op().kind());
        assertWellFormed(r.graph());

        Graph flat = pass.run(graph("3x4x4", "conv(2, k=1) -> flatten")).graph();
        assertEquals("flatten", flat.outputNode().op().kind(), "a flatten output keeps its node too");
        assertWellFormed(flat);
    }

    @Test
    void removesAChainOfIdentitiesEndingAtTheOutputDownToThatOutput() {
        Graph o = pass.run(graph("6", "f: fc(4) -> dropout -> dropout")).graph();
        assertEquals(List.of("input", "fc", "dropout"), kinds(o));
        assertEquals(List.of(named(o, "f").id()), o.outputNode().inputs());
        assertWellFormed(o);
    }

    @Test
    void removesADropoutInsideAResidualBranch() {
        Graph g = graph("4x5x5", "c: conv(4, k=1) -> add { [d: conv(4, k=1) -> dropout] | identity } -> relu");
        Graph o = pass.run(g).graph();
        assertEquals(List.of("input", "conv", "conv", "add", "relu"), kinds(o));
        Node add = Nets.ofKind(o, "add").get(0);
        assertEquals(List.of(named(o, "d").id(), named(o, "c").id()), add.inputs());
        assertWellFormed(o);
    }

    @Test
    void keepsAFlattenWhoseReaderIsNotAnFcSoThatEveryShapeStillHolds() {
        // relu on a flattened map: the relu's shape is a vector, so its input must stay one.
        Graph o = pass.run(graph("2x3x3", "conv(2, k=1) -> flatten -> relu -> fc(4)")).graph();
        assertWellFormed(o);
        assertEquals(List.of("input", "conv", "flatten", "relu", "fc"), kinds(o));
    }

    @Test
    void keepsAFlattenBeforeABatchNormOfItsFeatures() {
        // bn after flatten normalises each of the C·H·W features, not each channel of the map.
        Graph o = pass.run(graph("1x6x6", "conv(4, k=3) -> flatten -> bn -> fc(10)")).graph();
        assertWellFormed(o);
        assertEquals(List.of("input", "conv", "flatten", "bn", "fc"), kinds(o));
    }

    @Test
    void leavesAGraphWithoutIdentitiesAsItIs() {
        Graph g = graph("3x4x4", "conv(2, k=1) -> relu -> fc(3)");
        Pass.Result r = pass.run(g);
        assertEquals(g, r.graph());
        assertTrue(r.changes().isEmpty());
    }
}
