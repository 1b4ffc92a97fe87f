package org.cnnc.compiler.lower;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.lower.KernelPlan.Kernel;
import org.cnnc.compiler.lower.KernelPlan.Location;
import org.cnnc.compiler.shape.ShapedGraph;

/**
 * Shaped graph to kernel plan: one kernel per computing node; dropout and flatten become
 * views of their input (no kernel), unless they are the network's output, which is then
 * copied. Arena buffers are assigned greedily by liveness: a buffer is free again after the
 * last kernel that reads its tensor, and a kernel never writes a buffer it reads, with one
 * exception: a kernel that adds a residual (read at each output's own index, just before that
 * output is written) writes over a large one ({@link #IN_PLACE_MIN_BYTES}) when it is the
 * residual's last reader. The residual's lines are then already in cache when the output is
 * stored, which halves the memory traffic of a ResNet block's last convolution.
 */
public final class Lowering {
    /**
     * The smallest residual (bytes a sample) that the kernel adding it writes over; a smaller one
     * leaves its buffer to be read only, and the kernel writes a buffer of its own. Small maps
     * written over ran slower on two threads, not on one: the CIFAR ResNet (residuals of 16 to
     * 64 KB) in 0.89–0.92 of the time with buffers of their own, while ResNet-18 (up to 784 KB),
     * MobileNetV2 and ResNet-50 ran in the same time either way (AMD EPYC, `CompareJars`, both
     * orders), and ResNet-50 keeps its working memory (its 3 MB residuals at 56×56 written over).
     */
    static final long IN_PLACE_MIN_BYTES = 1 << 20;

    private Lowering() {}

    /** Lowers the network as written, one kernel per layer. */
    public static KernelPlan lower(ShapedGraph shaped) {
        return lower(shaped, shaped.graph());
    }

    /** Lowers {@code g}, an optimized form of {@code shaped}'s graph. */
    public static KernelPlan lower(ShapedGraph shaped, Graph g) {
        return lower(shaped, g, IN_PLACE_MIN_BYTES);
    }

    /**
     * {@link #lower(ShapedGraph, Graph)} with every convolution its own kernel, also those marked to
     * be computed with another (for targets whose kernels do not store two outputs).
     */
    public static KernelPlan lowerApart(ShapedGraph shaped, Graph g) {
        return lower(shaped, g, IN_PLACE_MIN_BYTES, false);
    }

    static KernelPlan lower(ShapedGraph shaped, Graph g, long inPlaceMinBytes) {
        return lower(shaped, g, inPlaceMinBytes, true);
    }

    /** {@link #lower(ShapedGraph, Graph)}, residuals of at least {@code inPlaceMinBytes} a sample written over; pairs as {@code pairs} says. */
    private static KernelPlan lower(ShapedGraph shaped, Graph g, long inPlaceMinBytes, boolean pairs) {
        int outputId = g.output();

        // Which node's tensor each node's value really is (views share their source's tensor).
        int[] source = new int[g.nodes().size()];
        List<Node> computing = new ArrayList<>();
        for (Node n : g.nodes()) {
            boolean view = n.op() instanceof Op.Dropout || n.op() instanceof Op.Flatten;
            if (n.op() instanceof Op.Input || view && n.id() != outputId) {
                source[n.id()] = n.inputs().isEmpty() ? n.id() : source[n.inputs().get(0)];
            } else {
                source[n.id()] = n.id();
                computing.add(n);
            }
        }
        if (outputId == 0) computing.add(g.input());   // a network that is only its input: copy it

        // The last kernel that reads each tensor.
        Map<Integer, Integer> lastUse = new HashMap<>();
        for (int k = 0; k < computing.size(); k++) {
            for (int in : computing.get(k).inputs()) lastUse.put(source[in], k);
        }

        List<Long> sizes = new ArrayList<>();
        List<Integer> holder = new ArrayList<>();    // tensor (source node id) held by each buffer, or -1
        Map<Integer, Location> where = new HashMap<>();
        where.put(0, new Location.Input());
        // a convolution that another's kernel computes (merge-siblings) follows it at once
        Map<Integer, Node> partnerOf = new HashMap<>();
        for (Node n : computing) {
            if (pairs && n.computedWith() >= 0) partnerOf.put(n.computedWith(), n);
        }
        List<Kernel> kernels = new ArrayList<>();
        for (int k = 0; k < computing.size(); k++) {
            Node n = computing.get(k);
            if (pairs && n.computedWith() >= 0) continue;   // its partner's kernel wrote it
            List<Location> inputs = new ArrayList<>();
            for (int in : n.inputs()) inputs.add(where.get(source[in]));
            if (n.id() == 0) inputs.add(new Location.Input());
            Location out = place(n, k, outputId, source, where, lastUse, sizes, holder, inPlaceMinBytes);
            Node partner = partnerOf.get(n.id());
            Location partnerOut = partner == null ? null : place(partner, k, outputId, source, where, lastUse, sizes, holder, 0);
            kernels.add(new Kernel(kernels.size(), n, inputs, out, partner, partnerOut));
        }
        return new KernelPlan(shaped, g, kernels, sizes);
    }

    /** Where node n's output goes when kernel k (by the liveness count) writes it; recorded in {@code where} and {@code holder}. */
    private static Location place(Node n, int k, int outputId, int[] source, Map<Integer, Location> where, Map<Integer, Integer> lastUse,
                                  List<Long> sizes, List<Integer> holder, long inPlaceMinBytes) {
        Location out;
        if (n.id() == outputId) {
            out = new Location.Output();
        } else {
            int b = overwritable(n, k, source, where, lastUse, inPlaceMinBytes);
            out = new Location.Buffer(b >= 0 ? b : assign(n.shape().elements(), k, sizes, holder, lastUse));
            holder.set(((Location.Buffer) out).index(), n.id());
        }
        where.put(n.id(), out);
        return out;
    }

    /**
     * The buffer of node n's residual operand when kernel k may write its output there: the
     * residual is at least {@code minBytes} a sample, lives in a buffer, k is its last reader, and
     * n reads it through no other input (which the kernel would read at other indices than the
     * one it writes); else −1.
     */
    private static int overwritable(Node n, int k, int[] source, Map<Integer, Location> where, Map<Integer, Integer> lastUse,
                                    long minBytes) {
        if (!n.epilogue().residual() || n.shape().elements() * Float.BYTES < minBytes) return -1;
        List<Integer> inputs = n.inputs();
        int residual = source[inputs.get(inputs.size() - 1)];
        for (int i = 0; i < inputs.size() - 1; i++) {
            if (source[inputs.get(i)] == residual) return -1;
        }
        return where.get(residual) instanceof Location.Buffer b && lastUse.get(residual) == k ? b.index() : -1;
    }

    /** A buffer whose tensor is dead before kernel k: the smallest that fits, else the largest grown. */
    private static int assign(long elements, int k, List<Long> sizes, List<Integer> holder, Map<Integer, Integer> lastUse) {
        int best = -1;
        for (int b = 0; b < sizes.size(); b++) {
            int t = holder.get(b);
            boolean free = t < 0 || lastUse.getOrDefault(t, -1) < k;
            if (!free) continue;
            if (best < 0) {
                best = b;
                continue;
            }
            long have = sizes.get(b), bestHave = sizes.get(best);
            boolean fits = have >= elements, bestFits = bestHave >= elements;
            if (fits && (!bestFits || have < bestHave) || !fits && !bestFits && have > bestHave) best = b;
        }
        if (best < 0) {
            sizes.add(elements);
            holder.add(-1);
            return sizes.size() - 1;
        }
        if (sizes.get(best) < elements) sizes.set(best, elements);
        return best;
    }
}
