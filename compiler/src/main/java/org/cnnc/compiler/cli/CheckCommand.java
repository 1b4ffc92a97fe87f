package org.cnnc.compiler.cli;

import java.util.concurrent.Callable;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.shape.ShapedGraph;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Parses a network and infers every shape; prints nothing but errors, or one line when all is well.")
final class CheckCommand implements Callable<Integer> {
    @Mixin
    NetworkOptions network;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ShapedGraph shaped = network.shaped();
        Graph g = shaped.graph();
        int layers = g.nodes().size() - 1;
        spec.commandLine().getOut().printf("%s: ok (%d layer%s, output %s, %,d parameters)%n",
                g.name(), layers, layers == 1 ? "" : "s", g.outputNode().shape(), shaped.totalParams());
        return 0;
    }
}
