package org.cnnc.compiler.cli;

import java.util.concurrent.Callable;
import org.cnnc.compiler.lower.KernelPlan;
import org.cnnc.compiler.lower.Lowering;
import org.cnnc.compiler.optimize.Optimizer;
import org.cnnc.compiler.shape.ShapedGraph;
import org.cnnc.compiler.summary.Explanation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Shows what the optimizer does to a network: each pass and what it fused, the kernels with the "
                + "layers each holds, the intermediate traffic saved, and the memory plan.",
                "Passes: remove-identity, fold-bn, fold-linear, fuse-residual, fuse-activation (switch any off with --no-fuse=NAME)."})
final class ExplainCommand implements Callable<Integer> {
    @Mixin
    NetworkOptions network;

    @Mixin
    OptimizeOptions optimize;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ShapedGraph shaped = network.shaped();
        Optimizer.Optimized optimized = Optimizer.optimize(shaped.graph(), optimize.settings());
        KernelPlan plan = Lowering.lower(shaped, optimized.graph());
        spec.commandLine().getOut().print(Explanation.render(shaped, optimized, plan, optimize.settings()));
        return 0;
    }
}
