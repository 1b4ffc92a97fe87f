package org.cnnc.compiler.ir;

import java.util.List;
import org.cnnc.compiler.diag.Pos;

/**
 * One operation of the graph. {@code name} is the dotted prefix of its tensors in a
 * state_dict ({@code layer1.0.conv1}); {@code named} is false for nodes that own no
 * place in a scope (add, concat, input), whose name then only says where they are.
 */
public record Node(int id, String name, boolean named, Op op, List<Integer> inputs, Shape shape, Pos pos) {
    public Node {
        inputs = List.copyOf(inputs);
    }
}
