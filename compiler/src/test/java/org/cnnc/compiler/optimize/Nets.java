package org.cnnc.compiler.optimize;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.cnnc.compiler.Pipeline;
import org.cnnc.compiler.diag.SourceFile;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.shape.ShapeInference;
import org.cnnc.compiler.shape.ShapedGraph;

/** Small inline networks for the optimizer, lowering and build tests, and checks every rewritten graph must pass. */
public final class Nets {
    private Nets() {}

    /** A residual network: a stem, an identity block and a projection block, then a classifier. */
    public static final String RESIDUAL = """
            network Res(classes = 10) {
              input 4x8x8
              stem: conv(8, k=3, p=1, bias=false) -> sbn: bn -> relu
              -> add { [c1: conv(8, k=3, p=1, bias=false) -> b1: bn -> relu
                        -> c2: conv(8, k=3, p=1, bias=false) -> b2: bn] | identity } -> relu
              -> add { [c3: conv(16, k=3, s=2, p=1, bias=false) -> b3: bn -> relu
                        -> c4: conv(16, k=3, p=1, bias=false) -> b4: bn]
                     | down: [conv(16, k=1, s=2, bias=false) -> bn] } -> relu
              -> globalavgpool -> flatten -> fc(classes)
            }
            """;

    public static ShapedGraph shaped(String text) {
        return Pipeline.shaped(new SourceFile("test.cnn", text), null, Map.of());
    }

    /** A network A with the given input and chain. */
    public static ShapedGraph net(String input, String chain) {
        return shaped("network A {\n  input " + input + "\n  " + chain + "\n}\n");
    }

    public static Graph graph(String input, String chain) {
        return net(input, chain).graph();
    }

    public static Node named(Graph g, String name) {
        return g.nodes().stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no node " + name + " in " + kinds(g)));
    }

    public static List<Node> ofKind(Graph g, String kind) {
        return g.nodes().stream().filter(n -> n.op().kind().equals(kind)).toList();
    }

    /** The operator kinds in node order, e.g. [input, conv, relu]. */
    public static List<String> kinds(Graph g) {
        return g.nodes().stream().map(n -> n.op().kind()).toList();
    }

    /** Ids 0, 1, 2…, every input before its reader, the output a node, and every shape still what its rule gives. */
    public static void assertWellFormed(Graph g) {
        for (int i = 0; i < g.nodes().size(); i++) {
            Node n = g.node(i);
            assertEquals(i, n.id(), "ids are dense and in order");
            for (int in : n.inputs()) assertTrue(in >= 0 && in < i, n.name() + " reads node " + in + ", not an earlier one");
            if (n.epilogue().residual()) {
                assertEquals(n.shape(), g.node(n.inputs().get(n.inputs().size() - 1)).shape(), "residual of " + n.name());
            }
        }
        assertTrue(g.output() >= 0 && g.output() < g.nodes().size(), "output " + g.output());
        assertDoesNotThrow(() -> ShapeInference.infer(g), "shapes of the rewritten graph");
    }

    /** Runs the passes named, in the optimizer's order, at -O2. */
    public static Graph only(Graph g, String... passes) {
        java.util.Set<String> off = new java.util.HashSet<>(Optimizer.names());
        off.removeAll(List.of(passes));
        return Optimizer.optimize(g, new Optimizer.Settings(2, off)).graph();
    }
}
