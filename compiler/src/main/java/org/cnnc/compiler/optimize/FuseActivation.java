package org.cnnc.compiler.optimize;

import java.util.ArrayList;
import java.util.List;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;

/**
 * An activation whose input is a conv, fc, BatchNorm or add read by nothing else is applied
 * by that kernel as it stores each value (after its residual, if it has one).
 */
final class FuseActivation implements Pass {
    public String name() { return "fuse-activation"; }

    public int level() { return 1; }

    public String purpose() { return "apply relu, relu6, leakyrelu, sigmoid or tanh in the producer's epilogue"; }

    public Result run(Graph graph) {
        Rewrite r = new Rewrite(graph);
        List<String> changes = new ArrayList<>();
        for (Node act : graph.nodes()) {
            if (!(act.op() instanceof Op.Activation a)) continue;
            int p = r.resolve(act.inputs().get(0));
            Node producer = r.node(p);
            boolean fusable = producer.op() instanceof Op.Conv || producer.op() instanceof Op.Fc
                    || producer.op() instanceof Op.BatchNorm || producer.op() instanceof Op.Add;
            if (!fusable || !producer.epilogue().canTakeActivation() || !r.onlyReadBy(p, act.id())) continue;
            r.merge(act.id(), p, producer.fuse(producer.epilogue().withActivation(a), act, producer.inputs()));
            changes.add(act.name() + " (" + a.kind() + ") fused into " + producer.name());
        }
        return new Result(r.build(), changes);
    }
}
