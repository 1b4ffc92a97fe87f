package org.cnnc.compiler.optimize;

import static org.cnnc.compiler.optimize.Nets.assertWellFormed;
import static org.cnnc.compiler.optimize.Nets.kinds;
import static org.cnnc.compiler.optimize.Nets.named;
import static org.cnnc.compiler.optimize.Nets.ofKind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.ir.Epilogue;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.shape.ShapedGraph;
import org.junit.jupiter.api.Test;

class OptimizerTest {
    static final Op.Activation RELU = new Op.Activation(Op.ActivationKind.RELU, 0);

    final Graph residual = Nets.shaped(Nets.RESIDUAL).graph();

    @Test
    void runsThePassesInOrder() {
        List<String> names = Optimizer.names();
        List<String> fusions = List.of("remove-identity", "fold-bn", "fuse-residual", "fuse-activation");
        assertEquals(fusions, names.stream().filter(fusions::contains).toList(), "these four, in this order, among " + names);
        Optimizer.Optimized o = Optimizer.optimize(residual, Optimizer.Settings.DEFAULT);
        assertEquals(names, o.reports().stream().map(Optimizer.PassReport::name).toList());
        for (Optimizer.PassReport r : o.reports()) {
            assertTrue(r.ran(), r::toString);
            if (fusions.contains(r.name())) assertFalse(r.changes().isEmpty(), r::toString);
        }
    }

    @Test
    void levelZeroRunsNothing() {
        Optimizer.Optimized o = Optimizer.optimize(residual, Optimizer.Settings.NONE);
        assertEquals(residual, o.graph());
        assertEquals(Optimizer.passes().size(), o.reports().size());
        for (int i = 0; i < o.reports().size(); i++) {
            Optimizer.PassReport r = o.reports().get(i);
            assertFalse(r.ran(), r::toString);
            assertEquals("runs from -O" + Optimizer.passes().get(i).level(), r.why());
            assertTrue(r.changes().isEmpty());
        }
        assertEquals("-O0", Optimizer.Settings.NONE.toString());
    }

    @Test
    void eachLevelRunsThePassesOfThatLevelAndBelow() {
        for (int level = 1; level <= 2; level++) {
            Optimizer.Optimized o = Optimizer.optimize(residual, new Optimizer.Settings(level, Set.of()));
            for (int i = 0; i < o.reports().size(); i++) {
                Pass p = Optimizer.passes().get(i);
                assertEquals(p.level() <= level, o.reports().get(i).ran(), p.name() + " at -O" + level);
            }
        }
        for (String fusion : List.of("remove-identity", "fold-bn", "fuse-residual", "fuse-activation")) {
            assertEquals(1, Optimizer.passes().stream().filter(p -> p.name().equals(fusion)).findFirst().orElseThrow().level(),
                    fusion + " runs from -O1");
        }
        // the residual network has no fc → fc pair, so -O1 and -O2 agree on it
        assertEquals(Optimizer.optimize(residual, Optimizer.Settings.DEFAULT).graph(),
                Optimizer.optimize(residual, new Optimizer.Settings(1, Set.of())).graph());
        assertEquals(2, Optimizer.DEFAULT_LEVEL);
    }

    @Test
    void fusesAResidualNetworkIntoOneKernelPerConvAndKeepsItsShapes() {
        Graph o = Optimizer.optimize(residual, Optimizer.Settings.DEFAULT).graph();
        assertEquals(List.of("input", "conv", "conv", "conv", "conv", "conv", "conv", "globalavgpool", "fc"), kinds(o));
        assertWellFormed(o);
        assertEquals(o.nodes().size() - 1, o.output());
        assertEquals(residual.outputNode().shape(), o.outputNode().shape());

        Node stem = named(o, "stem"), c2 = named(o, "c2"), c4 = named(o, "c4"), down = named(o, "down.0");
        assertEquals(new Epilogue("sbn", 1e-5, RELU, false, null), stem.epilogue());
        assertEquals(new Epilogue("b2", 1e-5, null, true, RELU), c2.epilogue());
        assertEquals(new Epilogue("b4", 1e-5, null, false, null), c4.epilogue(), "its add went to the later conv");
        assertEquals(new Epilogue("down.1", 1e-5, null, true, RELU), down.epilogue());
        assertEquals(List.of(c2.id(), c4.id()), down.inputs(), "the projection reads the block input and adds c4");
        assertEquals(List.of(down.id()), ofKind(o, "globalavgpool").get(0).inputs());
        assertEquals(List.of(ofKind(o, "globalavgpool").get(0).id()), o.outputNode().inputs(), "flatten is gone");

        // every layer of the network as written is either still a node or absorbed by exactly one
        long written = residual.nodes().size();
        long absorbed = o.nodes().stream().mapToLong(n -> n.absorbed().size()).sum();
        assertEquals(written, o.nodes().size() + absorbed + 1, "the flatten is removed, not absorbed");
    }

    @Test
    void theOptimizedGraphStaysShapeCorrectOnVariedNetworks() {
        List<String> chains = List.of(
                "conv(8, k=3, p=1) -> bn -> relu -> concat { conv(4, k=1) -> bn -> relu | maxpool(3, s=1, p=1) } -> bn -> relu"
                        + " -> add { identity | conv(12, k=3, p=1) -> bn } -> relu6 -> globalavgpool -> flatten -> dropout -> fc(5)",
                "conv(8, k=3, p=1) -> flatten -> dropout -> relu -> bn -> fc(6) -> bn -> relu -> dropout",
                "conv(2, k=1) -> flatten -> fc(64) -> dropout -> fc(3) -> relu -> fc(40) -> fc(2)",
                "dwconv(k=3, p=1) -> bn -> relu -> conv(6, k=1) -> bn -> add { identity | conv(6, k=3, p=1) -> bn -> leakyrelu }"
                        + " -> add { identity | identity } -> sigmoid -> upsample -> convtranspose(3, k=2, s=2) -> bn -> tanh");
        for (String chain : chains) {
            ShapedGraph s = Nets.net("4x6x6", chain);
            Graph o = Optimizer.optimize(s.graph(), Optimizer.Settings.DEFAULT).graph();
            assertWellFormed(o);
            assertEquals(s.graph().outputNode().shape(), o.outputNode().shape(), chain);
            assertTrue(o.nodes().size() < s.graph().nodes().size(), chain);
        }
    }

    @Test
    void noFuseSwitchesOnePassOff() {
        Optimizer.Settings settings = new Optimizer.Settings(2, Set.of("fold-bn"));
        Optimizer.Optimized o = Optimizer.optimize(residual, settings);
        assertEquals(ofKind(residual, "bn").size(), ofKind(o.graph(), "bn").size());
        Optimizer.PassReport fold = o.reports().stream().filter(r -> r.name().equals("fold-bn")).findFirst().orElseThrow();
        assertEquals("fold-bn", fold.name());
        assertFalse(fold.ran());
        assertEquals("switched off by --no-fuse", fold.why());
        assertTrue(o.reports().stream().filter(r -> !r.name().equals("fold-bn")).allMatch(Optimizer.PassReport::ran));
        // without folding, the bn takes the relu and the add stays (its operands are bns, not convs)
        assertEquals(2, ofKind(o.graph(), "add").size());
        assertTrue(named(o.graph(), "sbn").epilogue().act() != null);
        assertWellFormed(o.graph());
        assertEquals("-O2 --no-fuse=fold-bn", settings.toString());
    }

    @Test
    void noFuseOfEveryPassIsLevelZero() {
        Graph o = Optimizer.optimize(residual, new Optimizer.Settings(2, Set.copyOf(Optimizer.names()))).graph();
        assertEquals(residual, o);
    }

    @Test
    void anUnknownPassNameIsAnErrorWithASuggestion() {
        CompileError e = assertThrows(CompileError.class,
                () -> Optimizer.optimize(residual, new Optimizer.Settings(2, Set.of("fold-nb"))));
        assertEquals("there is no pass 'fold-nb'; did you mean 'fold-bn'?", e.getMessage());
        assertTrue(e.render().startsWith("--no-fuse: error: "), e.render());

        CompileError far = assertThrows(CompileError.class, () -> Optimizer.checkNames(Set.of("nope")));
        assertEquals("there is no pass 'nope'; the passes are " + String.join(", ", Optimizer.names()), far.getMessage());
    }

    @Test
    void levelsOutsideZeroToTwoAreErrors() {
        for (int level : new int[] {-1, 3}) {
            CompileError e = assertThrows(CompileError.class,
                    () -> Optimizer.optimize(residual, new Optimizer.Settings(level, Set.of())));
            assertTrue(e.getMessage().contains("the levels are 0, 1 and 2"), e.getMessage());
        }
    }

    @Test
    void theOriginalGraphIsLeftAsItWas() {
        Graph before = Nets.shaped(Nets.RESIDUAL).graph();
        Optimizer.optimize(residual, Optimizer.Settings.DEFAULT);
        assertEquals(before, residual);
        for (Node n : residual.nodes()) assertTrue(n.epilogue().isEmpty() && n.absorbed().isEmpty());
    }
}
