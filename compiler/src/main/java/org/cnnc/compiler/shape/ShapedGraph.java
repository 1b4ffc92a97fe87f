package org.cnnc.compiler.shape;

import java.util.List;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;

/** A graph with the statistics of every node; {@code stats.get(i)} belongs to node i. */
public record ShapedGraph(Graph graph, List<LayerStats> stats) {
    public static final int BYTES_PER_ELEMENT = 4;

    public ShapedGraph {
        stats = List.copyOf(stats);
    }

    public LayerStats stats(Node node) {
        return stats.get(node.id());
    }

    public long totalParams() {
        return stats.stream().mapToLong(LayerStats::params).sum();
    }

    public long totalMacs() {
        return stats.stream().mapToLong(LayerStats::macs).sum();
    }

    /** Bytes of the weights file: parameters and buffers in float32. */
    public long weightBytes() {
        return BYTES_PER_ELEMENT * stats.stream().mapToLong(s -> s.params() + s.buffers()).sum();
    }

    /** Bytes of every layer's output for one sample, the input excluded, with no buffer reused. */
    public long activationBytes() {
        return BYTES_PER_ELEMENT * stats.stream().skip(1).mapToLong(LayerStats::outputElements).sum();
    }

    public long inputBytes() {
        return BYTES_PER_ELEMENT * graph.input().shape().elements();
    }
}
