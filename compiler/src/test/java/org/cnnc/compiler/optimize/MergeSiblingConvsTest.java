package org.cnnc.compiler.optimize;

import static org.cnnc.compiler.optimize.Nets.assertWellFormed;
import static org.cnnc.compiler.optimize.Nets.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.junit.jupiter.api.Test;

public class MergeSiblingConvsTest {
    final MergeSiblingConvs pass = new MergeSiblingConvs();

    /** A projection block whose first convolution and shortcut are both 3×3 stride 2 (the CIFAR ResNet's). */
    public static final String PROJECTION = """
            network P {
              input 4x8x8
              add { [c1: conv(8, k=3, s=2, p=1, bias=false) -> b1: bn -> relu
                     -> c2: conv(8, k=3, p=1, bias=false) -> b2: bn]
                  | down: [conv(8, k=3, s=2, p=1, bias=false) -> bn] } -> relu
            }
            """;

    @Test
    void theShortcutMovesNextToTheFirstConvolutionWhichComputesIt() {
        Graph g = Nets.only(Nets.shaped(PROJECTION).graph(), "fold-bn", "merge-siblings");
        assertWellFormed(g);
        Node c1 = named(g, "c1"), down = named(g, "down.0");
        assertEquals(c1.id() + 1, down.id());
        assertEquals(c1.id(), down.computedWith());
        assertEquals(-1, c1.computedWith());
        assertEquals(c1.inputs(), down.inputs());
    }

    @Test
    void theBlocksAddThenFusesIntoTheSecondConvolution() {
        Graph g = Nets.only(Nets.shaped(PROJECTION).graph(), "fold-bn", "merge-siblings", "fuse-residual", "fuse-activation");
        assertWellFormed(g);
        Node c2 = named(g, "c2"), down = named(g, "down.0");
        assertTrue(c2.epilogue().residual(), c2.epilogue().toString());
        assertEquals(down.id(), c2.inputs().get(1), "the shortcut is c2's residual");
        assertFalse(down.epilogue().residual());
        assertEquals(named(g, "c1").id(), down.computedWith(), "the mark survives the renumbering of later passes");
    }

    @Test
    void leavesConvolutionsOfDifferentGeometryApart() {
        // Nets.RESIDUAL's projection: a 3×3 and a 1×1 shortcut
        Graph g = Nets.only(Nets.shaped(Nets.RESIDUAL).graph(), "fold-bn");
        Pass.Result r = pass.run(g);
        assertSame(g, r.graph());
        assertEquals(List.of(), r.changes());
    }

    @Test
    void saysWhatItMerged() {
        Pass.Result r = pass.run(Nets.only(Nets.shaped(PROJECTION).graph(), "fold-bn"));
        assertEquals(List.of("down.0 computed with c1: one kernel, the input read once"), r.changes());
    }

    @Test
    void explainListsThePartnerUnderItsKernel() {
        org.cnnc.compiler.shape.ShapedGraph shaped = Nets.shaped(PROJECTION);
        Optimizer.Optimized o = Optimizer.optimize(shaped.graph(), Optimizer.Settings.DEFAULT);
        String text = org.cnnc.compiler.summary.Explanation.render(shaped, o,
                org.cnnc.compiler.lower.Lowering.lower(shaped, o.graph()), Optimizer.Settings.DEFAULT);
        assertTrue(text.contains("down.0 computed with c1: one kernel, the input read once"), text);
        assertTrue(text.matches("(?s).*\\n  k0 +c1 .*\\n +\\+ down\\.0 +conv.*computed in the same kernel \\(merge-siblings\\).*"), text);
    }
}
