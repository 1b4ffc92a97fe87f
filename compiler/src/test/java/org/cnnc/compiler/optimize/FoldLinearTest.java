package org.cnnc.compiler.optimize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.cnnc.compiler.Pipeline;
import org.cnnc.compiler.diag.SourceFile;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.pack.ModelBuilder;
import org.cnnc.compiler.reference.ReferenceInterpreter;
import org.cnnc.compiler.shape.ShapeInference;
import org.cnnc.compiler.shape.ShapedGraph;
import org.cnnc.compiler.weights.Weights;
import org.cnnc.runtime.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FoldLinearTest {
    private static ShapedGraph shaped(String chain) {
        return Pipeline.shaped(new SourceFile("t.cnn", "network T {\n  input 64\n  " + chain + "\n}\n"), null, Map.of());
    }

    private static Graph optimized(ShapedGraph s) {
        return Optimizer.optimize(s.graph(), Optimizer.Settings.DEFAULT).graph();
    }

    @Test
    void mergesTwoFcLayersThroughAWideMiddle() {
        Graph g = optimized(shaped("a: fc(512) -> dropout -> b: fc(10)"));
        List<Node> fcs = g.nodes().stream().filter(n -> n.op() instanceof Op.Fc).toList();
        assertEquals(1, fcs.size());
        assertEquals("b", fcs.get(0).name());
        assertEquals("a", fcs.get(0).epilogue().linearBefore());
        assertEquals(List.of("a"), fcs.get(0).absorbed());
        assertEquals(0, fcs.get(0).inputs().get(0), "reads the network's input");
        ShapeInference.infer(g);
    }

    @Test
    void keepsTheLayersWhereMergingCostsMore() {
        // 64 → 8 → 100: 8·(64 + 100) = 1312 MACs apart, 6400 merged.
        Graph g = optimized(shaped("a: fc(8) -> b: fc(100)"));
        assertEquals(2, g.nodes().stream().filter(n -> n.op() instanceof Op.Fc).count());
    }

    @Test
    void keepsTheLayersAcrossAnActivation() {
        Graph g = optimized(shaped("a: fc(512) -> relu -> b: fc(10)"));
        assertEquals(2, g.nodes().stream().filter(n -> n.op() instanceof Op.Fc).count());
    }

    @Test
    void runsOnlyAtLevelTwo() {
        ShapedGraph s = shaped("a: fc(512) -> b: fc(10)");
        Graph g = Optimizer.optimize(s.graph(), new Optimizer.Settings(1, Set.of())).graph();
        assertEquals(2, g.nodes().stream().filter(n -> n.op() instanceof Op.Fc).count());
        Graph off = Optimizer.optimize(s.graph(), new Optimizer.Settings(2, Set.of("fold-linear"))).graph();
        assertEquals(2, off.nodes().stream().filter(n -> n.op() instanceof Op.Fc).count());
        assertNull(off.nodes().get(1).epilogue().linearBefore());
    }

    @Test
    void theMergedModelComputesWhatTheTwoLayersDo(@TempDir Path dir) throws Exception {
        ShapedGraph s = shaped("a: fc(512) -> dropout -> b: fc(10, bias=false) -> relu");
        Weights w = Weights.heInit(s.graph(), 5);
        Path jar = dir.resolve("t.jar");
        ModelBuilder.buildJar(new ModelBuilder.Request(s, w, "t", "T", Map.of()), jar, m -> { });
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader());
             Model model = (Model) Class.forName("t.T", true, loader).getConstructor(int.class).newInstance(1)) {
            SplittableRandom rnd = new SplittableRandom(9);
            float[] x = new float[3 * 64];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            float[] y = new float[30];
            model.predict(x, y, 3);
            float[] expected = ReferenceInterpreter.run(s.graph(), w, x, 3);
            double maxDiff = 0, maxRef = 0;
            for (int i = 0; i < y.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(y[i] - expected[i]));
                maxRef = Math.max(maxRef, Math.abs(expected[i]));
            }
            assertTrue(maxRef > 0.01, "the output is not trivially zero");
            assertTrue(maxDiff / maxRef <= 1e-5, "max |a-b| / max |b| = " + maxDiff / maxRef);
        }
    }
}
