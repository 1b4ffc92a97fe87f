package org.cnnc.compiler.shape;

import java.util.ArrayList;
import java.util.List;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.ir.Shape;

/**
 * Checks every node's shape against {@link ShapeRules} and derives parameters, MACs,
 * receptive field (r = r_in + (k − 1)·j_in, j = j_in·s) and activation size.
 */
public final class ShapeInference {
    private ShapeInference() {}

    public static ShapedGraph infer(Graph graph) {
        List<LayerStats> stats = new ArrayList<>();
        for (Node node : graph.nodes()) {
            List<Shape> ins = node.inputs().stream().map(i -> graph.node(i).shape()).toList();
            if (!(node.op() instanceof Op.Input)) {
                Shape expected;
                try {
                    expected = ShapeRules.output(node.op(), ins);
                } catch (ShapeError e) {
                    throw new IllegalStateException("node " + node.name() + " breaks its shape rule: " + e.getMessage());
                }
                if (!expected.equals(node.shape())) {
                    throw new IllegalStateException("node " + node.name() + " has shape " + node.shape()
                            + " but its rule gives " + expected);
                }
            }
            List<LayerStats> inStats = node.inputs().stream().map(stats::get).toList();
            stats.add(stats(node, ins, inStats));
        }
        return new ShapedGraph(graph, stats);
    }

    private static LayerStats stats(Node node, List<Shape> ins, List<LayerStats> inStats) {
        Shape out = node.shape();
        if (ins.isEmpty()) return new LayerStats(0, 0, 0, 1, 1, out.elements());
        Shape in = ins.get(0);
        double r = inStats.stream().mapToDouble(LayerStats::receptiveField).max().orElse(1);
        double j = inStats.stream().mapToDouble(LayerStats::jump).max().orElse(1);
        long params = 0, buffers = 0, macs = 0;
        switch (node.op()) {
            case Op.Conv c -> {
                long perOutput = (long) (in.channels() / c.groups()) * c.kh() * c.kw();
                params = c.outChannels() * perOutput + (c.bias() ? c.outChannels() : 0);
                macs = out.elements() * perOutput;
                r += (span(c.kh(), c.dh(), c.kw(), c.dw()) - 1) * j;
                j *= Math.max(c.sh(), c.sw());
            }
            case Op.ConvTranspose t -> {
                long perInput = (long) (t.outChannels() / t.groups()) * t.kh() * t.kw();
                params = in.channels() * perInput + (t.bias() ? t.outChannels() : 0);
                macs = in.elements() * perInput;
                j /= Math.max(t.sh(), t.sw());
                r += (span(t.kh(), t.dh(), t.kw(), t.dw()) - 1) * j;
            }
            case Op.BatchNorm b -> {
                params = 2L * in.channels();
                buffers = 2L * in.channels();
            }
            case Op.Fc f -> {
                params = in.elements() * f.outFeatures() + (f.bias() ? f.outFeatures() : 0);
                macs = in.elements() * f.outFeatures();
                r = wholeMap(in, r, j);
            }
            case Op.Flatten f -> r = wholeMap(in, r, j);
            case Op.Pool p -> {
                r += (Math.max(p.kh(), p.kw()) - 1) * j;
                j *= Math.max(p.sh(), p.sw());
            }
            case Op.AdaptiveAvgPool a -> {
                if (in instanceof Shape.Map m) {
                    // PyTorch's windows span up to ceil(in/out) pixels, starting every in/out pixels.
                    int window = Math.max(Math.ceilDiv(m.h(), a.outH()), Math.ceilDiv(m.w(), a.outW()));
                    r += (window - 1) * j;
                    j *= Math.max((double) m.h() / a.outH(), (double) m.w() / a.outW());
                }
            }
            case Op.Upsample u -> j /= Math.max(u.scaleH(), u.scaleW());
            case Op.Input i -> { }
            case Op.Activation a -> { }
            case Op.Softmax s -> { }
            case Op.Dropout d -> { }
            case Op.Lrn l -> { }
            case Op.Add a -> { }
            case Op.Concat c -> { }
        }
        return new LayerStats(params, buffers, macs, r, j, out.elements());
    }

    private static double span(int kh, int dh, int kw, int dw) {
        return Math.max(dh * (kh - 1) + 1, dw * (kw - 1) + 1);
    }

    /** A layer that sees all of a map sees as far as its farthest pixel does. */
    private static double wholeMap(Shape in, double r, double j) {
        return in instanceof Shape.Map m ? r + (Math.max(m.h(), m.w()) - 1) * j : r;
    }
}
