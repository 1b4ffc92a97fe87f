package org.cnnc.compiler.optimize;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;

/**
 * A two-input add where one operand is a conv read by nothing else becomes that conv's
 * epilogue: the conv takes the other operand as an extra input and adds it as it stores each
 * value, so the conv's output is never written and read back. Of two candidates the later one
 * is chosen, so that the other operand is ready when the fused kernel runs.
 */
final class FuseResidualAdd implements Pass {
    public String name() { return "fuse-residual"; }

    public int level() { return 1; }

    public String purpose() { return "add a residual in the epilogue of the conv that produces one operand"; }

    public Result run(Graph graph) {
        Rewrite r = new Rewrite(graph);
        List<String> changes = new ArrayList<>();
        // a convolution computed in one kernel with another (merge-siblings), either of the two, stores no residual
        Set<Integer> paired = new HashSet<>();
        for (Node x : graph.nodes()) {
            if (x.computedWith() >= 0) {
                paired.add(x.id());
                paired.add(x.computedWith());
            }
        }
        for (Node add : graph.nodes()) {
            // an add that already applies an activation of its own would lose it
            if (!(add.op() instanceof Op.Add) || add.inputs().size() != 2 || !r.node(add.id()).epilogue().isEmpty()) continue;
            int a = r.resolve(add.inputs().get(0)), b = r.resolve(add.inputs().get(1));
            int conv = Math.max(a, b), other = Math.min(a, b);
            Node n = r.node(conv);
            boolean fusable = conv != other && !paired.contains(conv) && n.op() instanceof Op.Conv && !n.epilogue().residual()
                    && n.epilogue().after() == null && r.onlyReadBy(conv, add.id());
            if (!fusable) continue;
            Node c = r.node(conv);
            List<Integer> inputs = List.of(c.inputs().get(0), other);
            r.merge(add.id(), conv, c.fuse(c.epilogue().withResidual(), add, inputs));
            changes.add("(" + add.name() + ") fused into " + c.name() + ", which adds " + r.node(other).name());
        }
        return new Result(r.build(), changes);
    }
}
