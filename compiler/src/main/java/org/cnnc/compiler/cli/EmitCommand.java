package org.cnnc.compiler.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.Pos;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.pack.ModelBuilder;
import org.cnnc.compiler.shape.ShapedGraph;
import org.cnnc.compiler.weights.Weights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "emit", mixinStandardHelpOptions = true,
        description = {"Writes the generated Java source of a network under a source root, without compiling it.",
                "With --resources DIR it also writes the weights resource the class loads, under DIR "
                        + "(for building the model inside your own project).",
                "With --target tornadovm it writes four classes: the model, its kernels for TornadoVM (CKernels) and for "
                        + "the JVM (CJvmKernels), and the TaskGraph class (CTaskGraph); the last two compile only against "
                        + "TornadoVM's API jar, which emit does not need."})
final class EmitCommand implements Callable<Integer> {
    @Mixin
    NetworkOptions network;

    @Mixin
    ModelOptions model;

    @Mixin
    OptimizeOptions optimize;

    @Option(names = {"-d", "--directory"}, paramLabel = "DIR", required = true, description = "the source root to write under")
    Path directory;

    @Option(names = "--resources", paramLabel = "DIR",
            description = "also write the weights resource under this resource root (e.g. target/classes)")
    Path resources;

    @Mixin
    WeightOptions weights;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ShapedGraph shaped = network.shaped();
        Graph g = shaped.graph();
        Weights w = resources == null ? null : weights.resolve(g, spec.commandLine().getErr());
        ModelBuilder.Target target = model.target();
        var request = new ModelBuilder.Request(shaped, w, model.packageName, model.className(g),
                ModelOptions.metadata(shaped, network.file().name(), resources == null ? "not written" : weights.describe(),
                        optimize.settings(), target), optimize.settings());
        try {
            List<Path> files = ModelBuilder.emitSources(request, directory, target);
            files.forEach(f -> spec.commandLine().getOut().println(f));
        } catch (IOException e) {
            throw new CompileError(Pos.none(directory.toString()), "cannot write the sources: " + e.getMessage());
        }
        if (resources != null) {
            spec.commandLine().getOut().println(ModelBuilder.writeWeightsResource(request, resources));
        }
        return 0;
    }
}
