package org.cnnc.compiler.optimize;

import java.util.ArrayList;
import java.util.List;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.ir.Shape;

/**
 * Two fully connected layers with nothing non-linear between them (dropout and flatten are gone
 * by now) are one: W = W₂·W₁, b = W₂·b₁ + b₂, computed when the model loads. It runs only where
 * the product costs fewer multiply-accumulates than the pair (out₂·in₁ < out₁·(in₁ + out₂)),
 * which is where the middle layer is wide. At -O2 only: the sums are rounded differently.
 */
final class FoldLinear implements Pass {
    public String name() { return "fold-linear"; }

    public int level() { return 2; }

    public String purpose() { return "merge fc → fc with nothing non-linear between, where it saves work"; }

    public Result run(Graph graph) {
        Rewrite r = new Rewrite(graph);
        List<String> changes = new ArrayList<>();
        for (Node second : graph.nodes()) {
            if (!(second.op() instanceof Op.Fc)) continue;
            Node live = r.node(second.id());
            int p = r.resolve(live.inputs().get(0));
            Node first = r.node(p);
            if (!(first.op() instanceof Op.Fc f1) || !first.epilogue().isEmpty() || live.epilogue().batchNorm() != null
                    || live.epilogue().linearBefore() != null || !r.onlyReadBy(p, second.id())) {
                continue;
            }
            long in = r.node(first.inputs().get(0)).shape().elements(), mid = f1.outFeatures();
            long out = ((Shape.Vec) second.shape()).n();
            if (out * in >= mid * (in + out)) continue;
            // The merged kernel keeps the second layer's name and reads the first layer's input.
            Node merged = live.fuse(live.epilogue().withLinearBefore(first.name()), first, first.inputs());
            r.absorbInto(p, second.id(), merged);
            changes.add(first.name() + " and " + second.name() + " merged: " + (mid * (in + out)) + " → " + (out * in)
                    + " MACs per sample");
        }
        return new Result(r.build(), changes);
    }
}
