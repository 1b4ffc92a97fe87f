package org.cnnc.compiler.optimize;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;

/**
 * Two convolutions of the same input with the same geometry and no groups (a ResNet block's
 * first convolution and its projection shortcut) are marked to run as one kernel: the later one
 * moves to just after the earlier one, which computes it too ({@link Node#computedWith}). Run
 * before fuse-residual, so that a block's add then goes to its second convolution, the operand
 * computed last. The input is read and packed once, and the kernel's matrix product has the
 * rows of both.
 */
final class MergeSiblingConvs implements Pass {
    public String name() { return "merge-siblings"; }

    public int level() { return 2; }

    public String purpose() { return "compute two convolutions of one input with the same geometry in one kernel"; }

    public Result run(Graph graph) {
        List<Node> nodes = graph.nodes();
        int n = nodes.size();
        int[] partner = new int[n];
        Arrays.fill(partner, -1);
        List<String> changes = new ArrayList<>();
        for (Node a : nodes) {
            if (partner[a.id()] >= 0 || !mergeable(a, graph)) continue;
            for (Node b : nodes.subList(a.id() + 1, n)) {
                if (partner[b.id()] < 0 && mergeable(b, graph) && b.inputs().equals(a.inputs()) && sameGeometry(a, b)) {
                    partner[a.id()] = b.id();
                    partner[b.id()] = a.id();
                    changes.add(b.name() + " computed with " + a.name() + ": one kernel, the input read once");
                    break;
                }
            }
        }
        if (changes.isEmpty()) return new Result(graph, changes);
        // the new order: each pair's second convolution right after its first (its only input
        // precedes the first, and nothing between them reads it)
        List<Integer> order = new ArrayList<>();
        for (Node x : nodes) {
            int p = partner[x.id()];
            if (p >= 0 && p < x.id()) continue;
            order.add(x.id());
            if (p > x.id()) order.add(p);
        }
        int[] newId = new int[n];
        for (int i = 0; i < n; i++) newId[order.get(i)] = i;
        List<Node> out = new ArrayList<>();
        for (int old : order) {
            Node x = nodes.get(old).renumbered(id -> newId[id]);
            int p = partner[old];
            out.add(p >= 0 && p < old ? x.computedWith(newId[p]) : x);
        }
        return new Result(new Graph(graph.name(), graph.parameters(), out, newId[graph.output()], graph.dropped()), changes);
    }

    /** A convolution without groups, one input, nothing fused that would read another tensor, not the output. */
    private static boolean mergeable(Node c, Graph g) {
        return c.op() instanceof Op.Conv conv && conv.groups() == 1 && c.inputs().size() == 1 && !c.epilogue().residual()
                && c.computedWith() < 0 && c.id() != g.output();
    }

    private static boolean sameGeometry(Node a, Node b) {
        Op.Conv x = (Op.Conv) a.op(), y = (Op.Conv) b.op();
        return x.kh() == y.kh() && x.kw() == y.kw() && x.sh() == y.sh() && x.sw() == y.sw() && x.ph() == y.ph() && x.pw() == y.pw()
                && x.dh() == y.dh() && x.dw() == y.dw();
    }
}
