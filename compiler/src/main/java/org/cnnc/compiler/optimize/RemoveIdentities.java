package org.cnnc.compiler.optimize;

import java.util.ArrayList;
import java.util.List;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;

/** Dropout is the identity at inference, and flatten only renames a buffer: neither needs a kernel. */
final class RemoveIdentities implements Pass {
    public String name() { return "remove-identity"; }

    public int level() { return 1; }

    public String purpose() { return "drop dropout and flatten, which change no value"; }

    public Result run(Graph graph) {
        Rewrite r = new Rewrite(graph);
        List<String> changes = new ArrayList<>();
        for (Node n : graph.nodes()) {
            boolean identity = n.op() instanceof Op.Dropout || n.op() instanceof Op.Flatten;
            // The output keeps its node: something has to write the caller's array.
            if (!identity || r.isOutput(n.id())) continue;
            int in = r.resolve(n.inputs().get(0));
            r.merge(n.id(), in, r.node(in));
            changes.add(n.name() + " (" + n.op().kind() + ") removed");
        }
        return new Result(r.build(), changes);
    }
}
