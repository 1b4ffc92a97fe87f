package org.cnnc.compiler.summary;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.lower.Lowering;
import org.cnnc.compiler.optimize.Optimizer;
import org.cnnc.compiler.shape.LayerStats;
import org.cnnc.compiler.shape.ShapedGraph;

/** The text summary: one row per layer (name, op, output shape, params, MACs, receptive field), then totals. */
public final class SummaryTable {
    private SummaryTable() {}

    public static String render(ShapedGraph shaped, int batch) {
        Graph g = shaped.graph();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Layer", "Op", "Output", "Params", "MACs", "RF"});
        for (Node n : g.nodes()) {
            LayerStats s = shaped.stats(n);
            rows.add(new String[] {
                n.named() ? n.name() : "(" + n.name() + ")",
                OpText.describe(n.op()),
                n.shape().toString(),
                s.params() == 0 ? "—" : group(s.params()),
                s.macs() == 0 ? "—" : group(s.macs()),
                group(s.receptivePixels())});
        }
        int[] width = new int[6];
        for (String[] r : rows) for (int i = 0; i < 6; i++) width[i] = Math.max(width[i], r[i].length());
        StringBuilder out = new StringBuilder();
        out.append(g.name());
        if (!g.parameters().isEmpty()) {
            List<String> ps = new ArrayList<>();
            g.parameters().forEach((k, v) -> ps.add(k + "=" + v));
            out.append('(').append(String.join(", ", ps)).append(')');
        }
        out.append("  input ").append(g.input().shape()).append(", batch ").append(batch).append('\n');
        int total = 0;
        for (int w : width) total += w + 2;
        String rule = "─".repeat(total - 2) + "\n";
        for (int r = 0; r < rows.size(); r++) {
            if (r <= 1) out.append(rule);
            String[] row = rows.get(r);
            for (int i = 0; i < 6; i++) {
                boolean right = i >= 3;
                String cell = right ? pad(row[i], width[i], true) : pad(row[i], width[i], false);
                out.append(cell);
                if (i < 5) out.append("  ");
            }
            out.append('\n');
        }
        out.append(rule);
        out.append("Output:              ").append(g.outputNode().shape()).append('\n');
        out.append("Parameters:          ").append(group(shaped.totalParams())).append('\n');
        out.append("MACs:                ").append(group(shaped.totalMacs())).append(" (")
                .append(giga(shaped.totalMacs())).append(" GMACs, ").append(giga(2 * shaped.totalMacs()))
                .append(" GFLOPs) per sample\n");
        out.append("Weights:             ").append(bytes(shaped.weightBytes())).append(" (float32, BN statistics included)\n");
        out.append("Input:               ").append(bytes(shaped.inputBytes() * batch)).append('\n');
        out.append("Activations:         ").append(bytes(shaped.activationBytes() * batch))
                .append(" (every layer's output, batch ").append(batch).append(")\n");
        out.append("Working memory:      ").append(bytes(arenaBytes(shaped) * batch))
                .append(" (the compiled model's buffers, reused between layers, -O2)\n");
        if (!g.dropped().isEmpty()) {
            out.append("Dropped optionals:\n");
            Map<Graph.DroppedOptional, Integer> counts = new LinkedHashMap<>();
            for (Graph.DroppedOptional d : g.dropped()) counts.merge(d, 1, Integer::sum);
            counts.forEach((d, n) -> out.append("  line ").append(d.pos().line()).append(", column ")
                    .append(d.pos().col()).append(": ").append(d.what()).append(n > 1 ? " (" + n + " times)" : "")
                    .append(" — ").append(d.reason()).append('\n'));
        }
        return out.toString();
    }

    /** Bytes per sample of the arena the default build plans, with buffers reused by liveness. */
    static long arenaBytes(ShapedGraph shaped) {
        Graph optimized = Optimizer.optimize(shaped.graph(), Optimizer.Settings.DEFAULT).graph();
        return 4 * Lowering.lower(shaped, optimized).arenaElements();
    }

    static String group(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String giga(long n) {
        return String.format(Locale.ROOT, "%.3f", n / 1e9);
    }

    static String bytes(long b) {
        if (b < 1024) return b + " B";
        if (b < 1024L * 1024) return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        if (b < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
        return String.format(Locale.ROOT, "%.2f GiB", b / (1024.0 * 1024 * 1024));
    }

    private static String pad(String s, int width, boolean right) {
        String space = " ".repeat(Math.max(0, width - s.length()));
        return right ? space + s : s + space;
    }
}
