package org.cnnc.compiler.optimize;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.Pos;
import org.cnnc.compiler.diag.Suggest;
import org.cnnc.compiler.ir.Graph;

/**
 * The graph passes in the order they run. {@code -O0} runs none (every layer its own kernel),
 * {@code -O1} and {@code -O2} run every pass of their level or below, less those switched off
 * by name with {@code --no-fuse=NAME}.
 */
public final class Optimizer {
    public static final int DEFAULT_LEVEL = 2;

    private static final List<Pass> PASSES = List.of(
            new RemoveIdentities(),
            new FoldBatchNorm(),
            new FoldLinear(),
            new MergeSiblingConvs(),
            new FuseResidualAdd(),
            new FuseActivation());

    /** Which passes run: the -O level and the passes switched off by name. */
    public record Settings(int level, Set<String> disabled) {
        public static final Settings DEFAULT = new Settings(DEFAULT_LEVEL, Set.of());
        public static final Settings NONE = new Settings(0, Set.of());

        public Settings {
            disabled = Set.copyOf(disabled);
        }

        @Override
        public String toString() {
            return "-O" + level + (disabled.isEmpty() ? "" : " --no-fuse=" + String.join(",", new java.util.TreeSet<>(disabled)));
        }
    }

    /** What each pass did (or why it did not run). */
    public record PassReport(String name, String purpose, boolean ran, String why, List<String> changes) {}

    public record Optimized(Graph graph, List<PassReport> reports) {}

    private Optimizer() {}

    public static List<Pass> passes() {
        return PASSES;
    }

    public static List<String> names() {
        return PASSES.stream().map(Pass::name).toList();
    }

    /** Checks the names given to --no-fuse. */
    public static void checkNames(Set<String> disabled) {
        for (String d : disabled) {
            if (!names().contains(d)) {
                throw new CompileError(Pos.none("--no-fuse"), "there is no pass '" + d + "'"
                        + Suggest.didYouMeanOrList(d, names(), "the passes"));
            }
        }
    }

    public static Optimized optimize(Graph graph, Settings settings) {
        int level = settings.level();
        Set<String> disabled = settings.disabled();
        checkNames(disabled);
        if (level < 0 || level > 2) throw new CompileError(Pos.none("-O"), "the levels are 0, 1 and 2, not " + level);
        List<PassReport> reports = new ArrayList<>();
        Graph g = graph;
        for (Pass p : PASSES) {
            if (level < p.level()) {
                reports.add(new PassReport(p.name(), p.purpose(), false, "runs from -O" + p.level(), List.of()));
            } else if (disabled.contains(p.name())) {
                reports.add(new PassReport(p.name(), p.purpose(), false, "switched off by --no-fuse", List.of()));
            } else {
                Pass.Result r = p.run(g);
                g = r.graph();
                reports.add(new PassReport(p.name(), p.purpose(), true, "", r.changes()));
            }
        }
        return new Optimized(g, reports);
    }
}
