package org.cnnc.compiler.optimize;

import java.util.ArrayList;
import java.util.List;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.ir.Shape;

/**
 * Dropout is the identity at inference, and flatten only renames a buffer: neither needs a kernel.
 * A flatten goes only where nothing sees the difference: when its input is a vector already, or
 * when every reader is an fc (which flattens a map itself). Elsewhere its readers depend on the
 * shape: a BatchNorm after it normalises each of the C·H·W features, not each channel.
 */
final class RemoveIdentities implements Pass {
    public String name() { return "remove-identity"; }

    public int level() { return 1; }

    public String purpose() { return "drop dropout and flatten, which change no value"; }

    public Result run(Graph graph) {
        Rewrite r = new Rewrite(graph);
        List<String> changes = new ArrayList<>();
        // Dropouts first, so that a flatten sees the fc behind a dropout.
        for (Node n : graph.nodes()) {
            if (n.op() instanceof Op.Dropout) remove(r, n, changes);
        }
        for (Node n : graph.nodes()) {
            if (!(n.op() instanceof Op.Flatten)) continue;
            boolean vector = r.node(n.inputs().get(0)).shape() instanceof Shape.Vec;
            boolean readByFcOnly = graph.nodes().stream()
                    .filter(c -> r.resolve(c.id()) == c.id() && c.inputs().stream().anyMatch(i -> r.resolve(i) == n.id()))
                    .allMatch(c -> c.op() instanceof Op.Fc);
            if (vector || readByFcOnly) remove(r, n, changes);
        }
        return new Result(r.build(), changes);
    }

    private static void remove(Rewrite r, Node n, List<String> changes) {
        // The output keeps its node: something has to write the caller's array.
        if (r.isOutput(n.id())) return;
        int in = r.resolve(n.inputs().get(0));
        r.merge(n.id(), in, r.node(in));
        changes.add(n.name() + " (" + n.op().kind() + ") removed");
    }
}
