package org.cnnc.compiler.emit.jvm;

import java.util.List;
import java.util.function.Function;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Shape;

/**
 * What one kernel's source is written from: its node, the shapes of its inputs and output,
 * and how the model's fields for that node's tensors are named. In the kernel body the inputs
 * are the arrays {@code x0, x1, …}, the output is {@code y}, and {@code batch} is the batch.
 */
record KernelContext(Node node, List<Shape> inputs, Function<String, String> field) {

    Shape in() {
        return inputs.get(0);
    }

    Shape out() {
        return node.shape();
    }

    /** The field holding this node's tensor {@code suffix} ("weight", "bias", "running_mean"...). */
    String tensor(String suffix) {
        return field.apply(node.name() + "." + suffix);
    }
}
