package org.cnnc.compiler.ir;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnc.compiler.diag.Pos;

/**
 * An elaborated network: nodes in topological order (every input precedes its user),
 * node 0 the input, {@code output} the node whose value the network returns.
 */
public record Graph(String name, Map<String, String> parameters, List<Node> nodes, int output,
                    List<DroppedOptional> dropped) {

    public Graph {
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        nodes = List.copyOf(nodes);
        dropped = List.copyOf(dropped);
    }

    public Node node(int id) {
        return nodes.get(id);
    }

    public Node input() {
        return nodes.get(0);
    }

    public Node outputNode() {
        return nodes.get(output);
    }

    /** An optional element that elaboration left out, and why. */
    public record DroppedOptional(Pos pos, String what, String reason) {}
}
