package org.cnnc.compiler.lower;

import java.util.List;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.shape.ShapedGraph;

/**
 * What the emitters turn into code: kernels in execution order, each reading and writing
 * tensors that live in the caller's input, the caller's output, or an arena buffer whose
 * per-sample size is planned here (buffers are reused once their tensor is dead).
 * {@code shaped} is the network as written (its tensors are what the model loads);
 * {@code graph} the optimized graph the kernels compute.
 */
public record KernelPlan(ShapedGraph shaped, Graph graph, List<Kernel> kernels, List<Long> bufferSizes) {

    public KernelPlan {
        kernels = List.copyOf(kernels);
        bufferSizes = List.copyOf(bufferSizes);
    }

    /** Where a tensor lives. */
    public sealed interface Location {
        /** The caller's input array. */
        record Input() implements Location {}

        /** The caller's output array. */
        record Output() implements Location {}

        /** Arena buffer {@code index}. */
        record Buffer(int index) implements Location {}
    }

    /**
     * One kernel: computes {@code node} (and the nodes fused into its epilogue) from the tensors
     * at {@code inputs} into {@code output}; and where {@code partner} is not null, that
     * convolution of the same input too ({@code merge-siblings}), into {@code partnerOutput}.
     */
    public record Kernel(int index, Node node, List<Location> inputs, Location output, Node partner, Location partnerOutput) {
        public Kernel {
            inputs = List.copyOf(inputs);
            if ((partner == null) != (partnerOutput == null)) throw new IllegalArgumentException("a partner needs its output");
        }

        public Kernel(int index, Node node, List<Location> inputs, Location output) {
            this(index, node, inputs, output, null, null);
        }
    }

    /** Float elements per sample the arena holds, with buffers reused. */
    public long arenaElements() {
        return bufferSizes.stream().mapToLong(Long::longValue).sum();
    }
}
