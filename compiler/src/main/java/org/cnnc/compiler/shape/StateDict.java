package org.cnnc.compiler.shape;

import java.util.ArrayList;
import java.util.List;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;

/**
 * The tensors a network's weights must hold, named and laid out as PyTorch's state_dict:
 * conv {@code [O, I/g, kH, kW]}, transposed conv {@code [I, O/g, kH, kW]}, fc {@code [out, in]},
 * bn {@code weight, bias, running_mean, running_var}. ({@code num_batches_tracked} is not listed:
 * it is accepted and ignored where present.)
 */
public final class StateDict {
    private StateDict() {}

    public record Tensor(String name, List<Integer> shape, boolean trainable) {
        public long elements() {
            long n = 1;
            for (int d : shape) n *= d;
            return n;
        }
    }

    public static List<Tensor> tensors(Graph graph) {
        List<Tensor> out = new ArrayList<>();
        for (Node n : graph.nodes()) {
            int in = n.inputs().isEmpty() ? 0 : graph.node(n.inputs().get(0)).shape().channels();
            String p = n.name() + ".";
            switch (n.op()) {
                case Op.Conv c -> {
                    out.add(new Tensor(p + "weight", List.of(c.outChannels(), in / c.groups(), c.kh(), c.kw()), true));
                    if (c.bias()) out.add(new Tensor(p + "bias", List.of(c.outChannels()), true));
                }
                case Op.ConvTranspose t -> {
                    out.add(new Tensor(p + "weight", List.of(in, t.outChannels() / t.groups(), t.kh(), t.kw()), true));
                    if (t.bias()) out.add(new Tensor(p + "bias", List.of(t.outChannels()), true));
                }
                case Op.Fc f -> {
                    int features = (int) graph.node(n.inputs().get(0)).shape().elements();
                    out.add(new Tensor(p + "weight", List.of(f.outFeatures(), features), true));
                    if (f.bias()) out.add(new Tensor(p + "bias", List.of(f.outFeatures()), true));
                }
                case Op.BatchNorm b -> {
                    out.add(new Tensor(p + "weight", List.of(in), true));
                    out.add(new Tensor(p + "bias", List.of(in), true));
                    out.add(new Tensor(p + "running_mean", List.of(in), false));
                    out.add(new Tensor(p + "running_var", List.of(in), false));
                }
                default -> { }
            }
        }
        return out;
    }
}
