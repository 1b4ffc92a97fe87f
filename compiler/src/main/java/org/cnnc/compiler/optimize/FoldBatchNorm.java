package org.cnnc.compiler.optimize;

import java.util.ArrayList;
import java.util.List;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;

/**
 * A BatchNorm whose input is a conv or fc read by nothing else folds into that layer: when the
 * model loads, W' = W·γ/√(σ²+ε) per output channel and b' = (b − μ)·γ/√(σ²+ε) + β. A BatchNorm
 * that cannot fold (after an add, a concat, the input) keeps its own kernel.
 */
final class FoldBatchNorm implements Pass {
    public String name() { return "fold-bn"; }

    public int level() { return 1; }

    public String purpose() { return "fold BatchNorm into the preceding conv or fc"; }

    public Result run(Graph graph) {
        Rewrite r = new Rewrite(graph);
        List<String> changes = new ArrayList<>();
        for (Node bn : graph.nodes()) {
            if (!(bn.op() instanceof Op.BatchNorm b)) continue;
            int p = r.resolve(bn.inputs().get(0));
            Node producer = r.node(p);
            boolean foldable = producer.op() instanceof Op.Conv || producer.op() instanceof Op.Fc;
            if (!foldable || !producer.epilogue().isEmpty() || !r.onlyReadBy(p, bn.id())) continue;
            r.merge(bn.id(), p, producer.fuse(producer.epilogue().withBatchNorm(bn.name(), b.eps()), bn, producer.inputs()));
            changes.add(bn.name() + " folded into " + producer.name());
        }
        return new Result(r.build(), changes);
    }
}
