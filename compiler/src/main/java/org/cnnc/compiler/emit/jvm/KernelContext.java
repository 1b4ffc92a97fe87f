package org.cnnc.compiler.emit.jvm;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.cnnc.compiler.ir.Epilogue;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Shape;

/**
 * What one kernel's source is written from: its node, the shapes of its inputs and output,
 * and how the model's fields for that node's tensors are named. In the kernel body the inputs
 * are the arrays {@code x0, x1, …}, the output is {@code y}, and {@code batch} is the batch.
 * {@code prepared} maps "weight" and "bias" to the fields holding weights transformed at load
 * (a folded BatchNorm), where there are such. With {@code task}, a parallel kernel's source is
 * the body of its {@code Parallel.Task} (the loop over {@code [from, to)} alone) rather than
 * the whole method.
 */
record KernelContext(Node node, List<Shape> inputs, Function<String, String> field, Map<String, String> prepared,
                     boolean task, Node partner) {

    KernelContext(Node node, List<Shape> inputs, Function<String, String> field, Map<String, String> prepared, boolean task) {
        this(node, inputs, field, prepared, task, null);
    }

    KernelContext asTask() {
        return new KernelContext(node, inputs, field, prepared, true, partner);
    }

    /** The partner's tensor {@code suffix} (a convolution this kernel computes too), as {@link #tensor}. */
    String partnerTensor(String suffix) {
        String p = prepared.get("partner." + suffix);
        return p != null ? p : field.apply(partner.name() + "." + suffix);
    }

    Shape in() {
        return inputs.get(0);
    }

    Shape out() {
        return node.shape();
    }

    Epilogue epilogue() {
        return node.epilogue();
    }

    /** The field holding this node's tensor {@code suffix} ("weight", "bias", "running_mean"...). */
    String tensor(String suffix) {
        String p = prepared.get(suffix);
        return p != null ? p : field.apply(node.name() + "." + suffix);
    }

    /** Whether the kernel adds a bias: its own, or one a folded BatchNorm brought. */
    boolean hasBias(boolean own) {
        return own || prepared.containsKey("bias");
    }

    /** {@link #hasBias} for the partner. */
    boolean partnerHasBias(boolean own) {
        return own || prepared.containsKey("partner.bias");
    }
}
