package org.cnnc.compiler.summary;

import java.util.Locale;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.ir.Shape;
import org.cnnc.compiler.lower.KernelPlan;
import org.cnnc.compiler.optimize.Optimizer;
import org.cnnc.compiler.shape.ShapedGraph;
import org.cnnc.runtime.kernels.Conv2d;

/**
 * What {@code cnnc explain} prints: each pass and what it changed, then the kernels with the
 * layers each holds and the intermediate traffic fusion saves, then the memory plan.
 */
public final class Explanation {
    private Explanation() {}

    public static String render(ShapedGraph shaped, Optimizer.Optimized optimized, KernelPlan plan, Optimizer.Settings settings) {
        Graph written = shaped.graph();
        StringBuilder out = new StringBuilder();
        out.append(written.name()).append(" at ").append(settings).append(": ")
                .append(written.nodes().size() - 1).append(" layers in ").append(plan.kernels().size())
                .append(" kernels\n\nPasses\n");
        for (Optimizer.PassReport r : optimized.reports()) {
            out.append(String.format(Locale.ROOT, "  %-16s %s: ", r.name(), r.purpose()));
            if (!r.ran()) {
                out.append("off (").append(r.why()).append(")\n");
                continue;
            }
            out.append(r.changes().size()).append(r.changes().size() == 1 ? " change\n" : " changes\n");
            for (String c : r.changes()) out.append("      ").append(c).append('\n');
        }
        out.append("\nKernels (layers each holds; bytes of intermediate tensors no longer written and read back, per sample)\n");
        long savedTotal = 0;
        int overwritten = 0;
        for (KernelPlan.Kernel k : plan.kernels()) {
            Node n = k.node();
            long saved = 0;
            for (String absorbed : n.absorbed()) saved += traffic(written, absorbed);
            savedTotal += saved;
            out.append(String.format(Locale.ROOT, "  k%-4d %-28s %s%s", k.index(), n.named() ? n.name() : "(" + n.name() + ")",
                    OpText.describe(n.op()), n.epilogue()));
            if (!n.absorbed().isEmpty()) {
                out.append("  [").append(String.join(", ", n.absorbed())).append("]  saves ")
                        .append(SummaryTable.bytes(saved));
            }
            String how = strategy(n, plan);
            if (k.inputs().contains(k.output())) {
                overwritten++;
                how = (how.isEmpty() ? "" : how + "; ") + "stores over its residual (its last reader)";
            }
            if (!how.isEmpty()) out.append("  — ").append(how);
            out.append('\n');
            if (k.partner() != null) {
                Node p = k.partner();
                out.append(String.format(Locale.ROOT, "  %-5s %-28s %s%s", "", "+ " + p.name(), OpText.describe(p.op()), p.epilogue()))
                        .append("  — computed in the same kernel (merge-siblings): the input read once, its own output\n");
            }
        }
        out.append("\nMemory per sample\n")
                .append("  intermediate traffic saved by fusion: ").append(SummaryTable.bytes(savedTotal)).append('\n')
                .append("  every layer's output:                 ").append(SummaryTable.bytes(shaped.activationBytes())).append('\n')
                .append("  arena with buffers reused:            ")
                .append(SummaryTable.bytes(4 * plan.arenaElements())).append(" in ")
                .append(plan.bufferSizes().size()).append(" buffers\n");
        if (overwritten > 0) {
            out.append("  outputs stored over their residual:   ").append(overwritten)
                    .append(" (the residual's lines are in cache when the output is stored)\n");
        }
        return out.toString();
    }

    /** Bytes of one write and one read of the named node's output, which fusion keeps in registers. */
    private static long traffic(Graph written, String absorbed) {
        String name = absorbed.startsWith("(") ? absorbed.substring(1, absorbed.length() - 1) : absorbed;
        for (Node n : written.nodes()) {
            if (n.name().equals(name)) return 2L * 4 * n.shape().elements();
        }
        return 0;
    }

    private static String strategy(Node n, KernelPlan plan) {
        if (!(n.op() instanceof Op.Conv c)) return "";
        Shape input = plan.graph().node(n.inputs().get(0)).shape();
        int in = input.channels();
        if (c.groups() > 1 && c.groups() == in) return "depthwise";
        int tile = input instanceof Shape.Map m ? Conv2d.winogradTile(m.c(), m.h(), m.w(), c.outChannels(), c.kh(), c.kw(),
                c.sh(), c.sw(), c.ph(), c.pw(), c.dh(), c.dw(), c.groups()) : 0;
        if (tile > 0) {
            return String.format("3×3: Winograd F(%1$d×%1$d, 3×3), %2$d multiplies per %1$d×%1$d outputs instead of %3$d",
                    tile, (tile + 2) * (tile + 2), 9 * tile * tile);
        }
        if (input instanceof Shape.Map m && Conv2d.channelsAlongLanes(m.c(), m.h(), m.w(), c.outChannels(), c.kh(), c.kw(),
                c.sh(), c.sw(), c.ph(), c.pw(), c.dh(), c.dw(), c.groups())) {
            return "output channels along the lanes: tiles of an output row of 7 pixels, none of them padding";
        }
        if (c.sh() == 1 && c.sw() == 1 && c.ph() == 0 && c.pw() == 0) {
            return (c.kh() == 1 && c.kw() == 1 ? "1×1" : "stride 1, no padding")
                    + ": a matrix product on the input as it lies, no im2col";
        }
        return "";
    }
}
