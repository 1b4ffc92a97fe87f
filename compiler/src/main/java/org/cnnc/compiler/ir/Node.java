package org.cnnc.compiler.ir;

import java.util.List;
import java.util.function.IntUnaryOperator;
import org.cnnc.compiler.diag.Pos;

/**
 * One operation of the graph. {@code name} is the dotted prefix of its tensors in a
 * state_dict ({@code layer1.0.conv1}); {@code named} is false for nodes that own no
 * place in a scope (add, concat, input), whose name then only says where they are.
 * After fusion, {@code epilogue} says what the node's kernel also does, and {@code absorbed}
 * names the nodes folded into it; {@code computedWith} is the id of the convolution of the same
 * input whose kernel computes this one too (merge-siblings), or −1.
 */
public record Node(int id, String name, boolean named, Op op, List<Integer> inputs, Shape shape, Pos pos,
                   Epilogue epilogue, List<String> absorbed, int computedWith) {
    public Node {
        inputs = List.copyOf(inputs);
        absorbed = List.copyOf(absorbed);
    }

    /** A node as elaboration makes it: nothing fused. */
    public Node(int id, String name, boolean named, Op op, List<Integer> inputs, Shape shape, Pos pos) {
        this(id, name, named, op, inputs, shape, pos, Epilogue.NONE, List.of(), -1);
    }

    /** This node renumbered: its own id, its inputs' and its partner's ({@code computedWith}) by {@code newId}. */
    public Node renumbered(IntUnaryOperator newId) {
        return new Node(newId.applyAsInt(id), name, named, op, inputs.stream().map(newId::applyAsInt).toList(), shape, pos,
                epilogue, absorbed, computedWith < 0 ? -1 : newId.applyAsInt(computedWith));
    }

    /** This node computed by {@code partner}'s kernel. */
    public Node computedWith(int partner) {
        return new Node(id, name, named, op, inputs, shape, pos, epilogue, absorbed, partner);
    }

    /** This node with {@code more} fused into its epilogue, {@code other} absorbed, and inputs {@code newInputs}. */
    public Node fuse(Epilogue more, Node other, List<Integer> newInputs) {
        List<String> all = new java.util.ArrayList<>(absorbed);
        all.add(other.named() ? other.name() : "(" + other.name() + ")");
        all.addAll(other.absorbed());
        return new Node(id, name, named, op, newInputs, shape, pos, more, all, computedWith);
    }
}
