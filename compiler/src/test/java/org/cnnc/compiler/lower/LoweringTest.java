package org.cnnc.compiler.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.lower.KernelPlan.Kernel;
import org.cnnc.compiler.lower.KernelPlan.Location;
import org.cnnc.compiler.optimize.Nets;
import org.cnnc.compiler.optimize.Optimizer;
import org.cnnc.compiler.shape.ShapedGraph;
import org.junit.jupiter.api.Test;

class LoweringTest {
    /** A DenseNet-like stage: every layer reads the concatenation of all before it. */
    static final String DENSE = """
            network Dense {
              input 3x8x8
              conv(8, k=3, p=1) -> bn -> relu
              -> concat { identity | [bn -> relu -> conv(4, k=3, p=1)] }
              -> concat { identity | [bn -> relu -> conv(4, k=3, p=1)] }
              -> concat { identity | [bn -> relu -> conv(4, k=3, p=1)] }
              -> bn -> relu -> conv(8, k=1) -> avgpool -> flatten -> dropout -> fc(10)
            }
            """;

    /** Planned with every residual, however small, written over by the kernel that adds it where it may be. */
    static KernelPlan plan(ShapedGraph s, Optimizer.Settings settings) {
        return Lowering.lower(s, Optimizer.optimize(s.graph(), settings).graph(), 0);
    }

    static List<KernelPlan> plans() {
        List<KernelPlan> out = new java.util.ArrayList<>();
        for (ShapedGraph s : List.of(Nets.shaped(Nets.RESIDUAL), Nets.shaped(DENSE),
                Nets.net("3x8x8", "conv(4, k=1) -> add { identity | conv(4, k=3, p=1) -> relu | maxpool(3, s=1, p=1) }"
                        + " -> add { identity | identity } -> flatten -> dropout -> relu -> fc(3) -> dropout"))) {
            out.add(plan(s, Optimizer.Settings.NONE));
            out.add(plan(s, Optimizer.Settings.DEFAULT));
            out.add(plan(s, new Optimizer.Settings(2, java.util.Set.of("fuse-residual"))));
        }
        return out;
    }

    @Test
    void aChainOfLayersNeedsTwoBuffers() {
        for (int n : new int[] {3, 6, 11}) {
            String chain = String.join(" -> ", java.util.Collections.nCopies(n, "conv(4, k=3, p=1)"));
            KernelPlan p = Lowering.lower(Nets.net("4x8x8", chain));
            assertEquals(n, p.kernels().size());
            assertEquals(List.of(256L, 256L), p.bufferSizes(), n + " layers");
            assertEquals(512, p.arenaElements());
            assertInstanceOf(Location.Input.class, p.kernels().get(0).inputs().get(0));
            assertInstanceOf(Location.Output.class, p.kernels().get(n - 1).output());
        }
        assertEquals(1, Lowering.lower(Nets.net("4x8x8", "conv(4) -> relu")).bufferSizes().size(), "two layers, one buffer");
    }

    @Test
    void aBufferGrowsToItsLargestTensor() {
        KernelPlan p = Lowering.lower(Nets.net("2x8x8", "conv(2, k=1) -> conv(16, k=1) -> maxpool -> conv(8, k=1) -> fc(3)"));
        assertEquals(2, p.bufferSizes().size());
        // conv 2×8×8 → b0; conv 16×8×8 → b1; maxpool 16×4×4 → b0, grown; conv 8×4×4 → b1; fc → output
        assertEquals(List.of(16L * 16, 16L * 64), p.bufferSizes());
    }

    @Test
    void aKernelWritesABufferItReadsOnlyWhenThatIsTheResidualItAdds() {
        int overwritten = 0;
        for (KernelPlan p : plans()) {
            for (Kernel k : p.kernels()) {
                List<Location> in = k.inputs();
                if (!in.contains(k.output())) continue;
                overwritten++;
                assertTrue(k.node().epilogue().residual(), k::toString);
                assertEquals(in.size() - 1, in.indexOf(k.output()), () -> "only the residual, the last input: " + k);
            }
        }
        assertTrue(overwritten > 0, "the plans include residuals written over");
    }

    @Test
    void aBlocksLastConvWritesOverTheResidualItAdds() {
        KernelPlan p = plan(Nets.shaped(Nets.RESIDUAL), Optimizer.Settings.DEFAULT);
        Kernel c2 = kernelOf(p, "c2");
        assertEquals(2, c2.inputs().size());
        assertEquals(c2.inputs().get(1), c2.output(), "c2 stores over the stem's output, which nothing reads after it");
        assertFalse(c2.inputs().get(0).equals(c2.output()));
    }

    @Test
    void aResidualUnderAMebibyteASampleKeepsItsBufferToBeRead() {
        ShapedGraph s = Nets.shaped(Nets.RESIDUAL);
        Kernel c2 = kernelOf(Lowering.lower(s, Optimizer.optimize(s.graph(), Optimizer.Settings.DEFAULT).graph()), "c2");
        assertTrue(c2.node().epilogue().residual(), "the add is fused into c2");
        assertFalse(c2.inputs().contains(c2.output()), "c2 writes a buffer of its own");
    }

    @Test
    void aResidualOfAMebibyteASampleIsWrittenOver() {
        // 64 × 64 × 64 floats: exactly 1 MiB
        ShapedGraph s = Nets.net("64x64x64",
                "s: conv(64, k=1) -> add { [conv(64, k=3, p=1) -> c: conv(64, k=3, p=1)] | identity } -> relu -> fc(3)");
        Kernel c = kernelOf(Lowering.lower(s, Optimizer.optimize(s.graph(), Optimizer.Settings.DEFAULT).graph()), "c");
        assertTrue(c.node().epilogue().residual(), "the add is fused into c");
        assertEquals(Lowering.IN_PLACE_MIN_BYTES, c.node().shape().elements() * Float.BYTES);
        assertEquals(c.inputs().get(1), c.output(), "c stores over s's output");
    }

    @Test
    void aResidualThatIsReadLaterIsNotWrittenOver() {
        KernelPlan p = plan(Nets.net("4x8x8",
                "s: conv(4, k=1) -> concat { add { [c: conv(4, k=3, p=1)] | identity } | identity } -> fc(3)"),
                Optimizer.Settings.DEFAULT);
        Kernel c = kernelOf(p, "c");
        assertTrue(c.node().epilogue().residual(), "the add is fused into c");
        assertFalse(c.inputs().contains(c.output()), "the concat still reads s's output after c");
    }

    @Test
    void aResidualThatIsAlsoTheConvsInputIsNotWrittenOver() {
        KernelPlan p = plan(Nets.net("4x8x8", "s: conv(4, k=1) -> add { [c: conv(4, k=3, p=1)] | identity } -> fc(3)"),
                Optimizer.Settings.DEFAULT);
        Kernel c = kernelOf(p, "c");
        assertTrue(c.node().epilogue().residual(), "the add is fused into c");
        assertEquals(c.inputs().get(0), c.inputs().get(1), "c reads s's output twice");
        assertFalse(c.inputs().contains(c.output()), "c reads its input at other pixels than it writes");
    }

    @Test
    void everyTensorIsStillInItsBufferWhenItIsRead() {
        for (KernelPlan p : plans()) {
            Graph g = p.graph();
            Map<Integer, Integer> holder = new HashMap<>();   // buffer index → node whose tensor it holds
            for (Kernel k : p.kernels()) {
                Node n = k.node();
                assertEquals(n.inputs().size(), k.inputs().size(), n::toString);
                for (int i = 0; i < n.inputs().size(); i++) {
                    int source = source(g, n.inputs().get(i));
                    Location at = k.inputs().get(i);
                    if (at instanceof Location.Buffer b) {
                        assertEquals(source, holder.get(b.index()), "kernel k" + k.index() + " (" + n.name()
                                + ") reads buffer " + b.index() + " expecting node " + source);
                        assertTrue(p.bufferSizes().get(b.index()) >= g.node(source).shape().elements());
                    } else {
                        assertEquals(new Location.Input(), at);
                        assertEquals(0, source, "only the input lives in the caller's input");
                    }
                }
                if (k.output() instanceof Location.Buffer b) {
                    assertTrue(p.bufferSizes().get(b.index()) >= n.shape().elements(), "buffer " + b.index() + " fits " + n.name());
                    holder.put(b.index(), n.id());
                } else {
                    assertEquals(new Location.Output(), k.output());
                    assertEquals(g.output(), n.id());
                }
            }
        }
    }

    @Test
    void aResidualOperandStaysAliveUntilItsReaderRuns() {
        KernelPlan p = plan(Nets.shaped(Nets.RESIDUAL), Optimizer.Settings.DEFAULT);
        Kernel c2 = kernelOf(p, "c2");
        Location skip = c2.inputs().get(1);
        Kernel stem = kernelOf(p, "stem");
        assertEquals(stem.output(), skip, "c2 adds the stem's output");
        for (Kernel k : p.kernels()) {
            if (k.index() > stem.index() && k.index() < c2.index()) assertFalse(k.output().equals(skip), k::toString);
        }
        assertEquals(3, p.bufferSizes().size(), "the block input, the main branch, and one more");
    }

    @Test
    void viewsTakeNoKernelUnlessTheyAreTheOutput() {
        ShapedGraph s = Nets.net("3x4x4", "conv(2, k=1) -> flatten -> dropout -> fc(5) -> dropout -> fc(3)");
        KernelPlan p = Lowering.lower(s);
        assertEquals(List.of("conv", "fc", "fc"), p.kernels().stream().map(k -> k.node().op().kind()).toList());
        Kernel fc = p.kernels().get(1);
        assertEquals(p.kernels().get(0).output(), fc.inputs().get(0), "the fc reads the conv's buffer through both views");

        KernelPlan out = Lowering.lower(Nets.net("3x4x4", "conv(2, k=1) -> relu -> flatten"));
        assertEquals(List.of("conv", "relu", "flatten"), out.kernels().stream().map(k -> k.node().op().kind()).toList());
        assertEquals(new Location.Output(), out.kernels().get(2).output(), "the output view is copied into the caller's array");

        KernelPlan onInput = Lowering.lower(Nets.net("6", "dropout -> fc(2)"));
        assertEquals(List.of(new Location.Input()), onInput.kernels().get(0).inputs(), "a view of the input is the input");
    }

    @Test
    void theArenaIsSmallerThanEveryActivationTogether() {
        for (ShapedGraph s : List.of(Nets.shaped(Nets.RESIDUAL), Nets.shaped(DENSE))) {
            long all = s.activationBytes() / ShapedGraph.BYTES_PER_ELEMENT;
            KernelPlan o0 = plan(s, Optimizer.Settings.NONE), o2 = plan(s, Optimizer.Settings.DEFAULT);
            assertTrue(o0.arenaElements() < all, o0.arenaElements() + " vs " + all);
            assertTrue(o2.arenaElements() <= o0.arenaElements(), o2.arenaElements() + " vs " + o0.arenaElements());
            assertTrue(o2.kernels().size() < o0.kernels().size());
        }
    }

    @Test
    void kernelsAreNumberedInOrderAndFollowTheGraph() {
        for (KernelPlan p : plans()) {
            int last = -1;
            for (int i = 0; i < p.kernels().size(); i++) {
                Kernel k = p.kernels().get(i);
                assertEquals(i, k.index());
                assertTrue(k.node().id() > last, "kernels in node order");
                last = k.node().id();
                assertTrue(p.graph().nodes().contains(k.node()));
            }
            assertEquals(p.graph().output(), p.kernels().get(p.kernels().size() - 1).node().id(), "the output kernel runs last");
        }
    }

    static Kernel kernelOf(KernelPlan p, String name) {
        return p.kernels().stream().filter(k -> k.node().name().equals(name)).findFirst().orElseThrow();
    }

    /** The node whose tensor {@code id}'s value is: through views (dropout, flatten) that take no kernel. */
    static int source(Graph g, int id) {
        Node n = g.node(id);
        boolean view = n.op() instanceof Op.Dropout || n.op() instanceof Op.Flatten;
        return view && id != g.output() ? source(g, n.inputs().get(0)) : id;
    }

    @Test
    void aConvolutionComputedWithAnotherIsWrittenByItsKernel() {
        ShapedGraph s = Nets.shaped(org.cnnc.compiler.optimize.MergeSiblingConvsTest.PROJECTION);
        KernelPlan plan = plan(s, Optimizer.Settings.DEFAULT);
        Kernel pair = plan.kernels().stream().filter(k -> k.partner() != null).findFirst().orElseThrow();
        assertEquals("c1", pair.node().name());
        assertEquals("down.0", pair.partner().name());
        assertTrue(plan.kernels().stream().noneMatch(k -> k.node().name().equals("down.0")), "no kernel of its own");
        assertFalse(pair.partnerOutput().equals(pair.output()), "two outputs, two buffers");
        assertFalse(pair.inputs().contains(pair.partnerOutput()), "nor the input's");
        Kernel c2 = plan.kernels().stream().filter(k -> k.node().name().equals("c2")).findFirst().orElseThrow();
        assertEquals(pair.partnerOutput(), c2.inputs().get(1), "c2 adds the shortcut from where the pair wrote it");
        for (int i = 0; i < plan.kernels().size(); i++) assertEquals(i, plan.kernels().get(i).index());
    }
}
